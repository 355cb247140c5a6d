package dev.fovea.bench;

import dev.fovea.bench.ReviewSetup.Setup;
import dev.fovea.bench.support.BenchOptions;
import dev.fovea.bench.support.Json;
import dev.fovea.bench.support.RunHeader;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Review latency against a running {@code fovea server} (see bench/README.md, bench/review.sh), in two parts.
 *
 * <p><b>Server</b>: N reviewer accounts, one thread each with its own HTTP connection, call
 * {@code GET /api/projects/P/review/queue?count=10}, then {@code POST /api/projects/P/reviews} a decision for every
 * image they got (so the queue moves on), round after round, for a time or a number of rounds or until the
 * project has nothing left. Reported: the queue call's latency and rate, the decisions', and every (image,
 * reviewer) hand-out, to check that in a single-review project no image went to two reviewers.
 *
 * <p><b>Browser</b>: one reviewer logs in with Selenium in headless Chromium, opens the review page and decides
 * image after image with the class's key. A script installed in the page times each decision from the keydown
 * event to the moment the next image is loaded, decoded and its frame painted (see {@link #INSTRUMENT}).
 *
 * <p>Setup goes through the admin API (token in {@code FOVEA_TOKEN}): both projects get single review
 * ({@code reviews_per_image} 1, {@code double_review_fraction} 0), reviewer accounts and review tokens are
 * created, and the reviewers are added to their project.
 */
public final class ReviewBenchmark {
    /** Selenium warns that it has no DevTools (CDP) classes for this Chromium: harmless here, none are used. */
    private static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

    private ReviewBenchmark() {}

    public static void main(String[] args) throws Exception {
        SELENIUM_LOG.setLevel(Level.SEVERE);
        ReviewOptions o = BenchOptions.parse(new ReviewOptions(), args).validated();
        RunHeader header = RunHeader.ofThisJvm();
        System.out.println("jvm: " + header.jvm() + " (" + header.vmName() + "), cores: " + header.cores() + ", max heap: "
                + header.maxHeapMib() + " MiB, args: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("server: " + o.url);

        ReviewApi admin = new ReviewApi(o.url, o.token);
        Setup setup = ReviewSetup.setup(o, admin);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "review");
        json.put("jvm", header.jvm());
        json.put("cores", header.cores());
        json.put("max_heap_mib", header.maxHeapMib());
        json.put("url", o.url);
        boolean ok = true;
        if (!o.skipServer) {
            Map<String, Object> server = new LinkedHashMap<>();
            ok &= ServerReviewPart.serverPart(o, setup, admin, server);
            json.put("server", server);
        }
        if (!o.skipBrowser) {
            Map<String, Object> browser = new LinkedHashMap<>();
            ok &= BrowserReviewPart.browserPart(o, setup, browser);
            json.put("browser", browser);
        }
        json.put("ok", ok);
        json.put("at", Instant.now().toString());
        System.out.println();
        System.out.println(Json.write(json, 2));
        System.exit(ok ? 0 : 1);
    }
}
