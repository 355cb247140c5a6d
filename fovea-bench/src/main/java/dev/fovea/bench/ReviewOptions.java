package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import java.net.URI;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@link ReviewBenchmark}'s command line. */
@Command(name = "ReviewBenchmark", mixinStandardHelpOptions = true,
        description = "Review latency: reviewers at once through the API, and one in headless Chromium (bench/review.sh).")
final class ReviewOptions {
    @Option(names = "--url", required = true, description = "the server, on a loopback address")
    String url;

    @Option(names = "--token", description = "an admin token (default: the environment's FOVEA_TOKEN)")
    String token;

    @Option(names = "--server-project", description = "the reviewers' project (default ${DEFAULT-VALUE})")
    String serverProject = "review-server";

    @Option(names = "--browser-project", description = "the browser's project (default ${DEFAULT-VALUE})")
    String browserProject = "review-browser";

    @Option(names = "--prefix", description = "prefix of the reviewer accounts made (default ${DEFAULT-VALUE})")
    String prefix = "bench";

    @Option(names = "--chromium", description = "default ${DEFAULT-VALUE}")
    String chromium = "/usr/bin/chromium";

    @Option(names = "--chromedriver", description = "default ${DEFAULT-VALUE}")
    String chromedriver = "/usr/bin/chromedriver";

    @Option(names = "--reviewers", description = "reviewers at once (default ${DEFAULT-VALUE})")
    int reviewers = 10;

    @Option(names = "--count", description = "images per queue call, 1 to 50 (default ${DEFAULT-VALUE})")
    int count = 10;

    @Option(names = "--seconds", description = "the most the server part runs (default ${DEFAULT-VALUE})")
    int seconds = 120;

    @Option(names = "--rounds", description = "queue calls per reviewer; 0: until --seconds (default ${DEFAULT-VALUE})")
    int rounds = 25;

    @Option(names = "--warmup-seconds", description = "seconds not counted (default ${DEFAULT-VALUE})")
    int warmupSeconds = 5;

    @Option(names = "--decisions", description = "decisions in the browser (default ${DEFAULT-VALUE})")
    int decisions = 100;

    @Option(names = "--warmup-decisions", description = "decisions not counted (default ${DEFAULT-VALUE})")
    int warmupDecisions = 5;

    @Option(names = "--pause-ms", description = "pause after each image is on screen (default ${DEFAULT-VALUE})")
    int pauseMillis = 200;

    @Option(names = "--think-ms", description = "pause after each decision in the server part (default ${DEFAULT-VALUE})")
    int thinkMillis = 0;

    @Option(names = "--server-pid", description = "the server JVM's pid, for its CPU time")
    long serverPid = -1;

    @Option(names = "--skip-server", description = "no server part")
    boolean skipServer;

    @Option(names = "--skip-browser", description = "no browser part")
    boolean skipBrowser;

    /** Checks what picocli cannot; stops with status 2 on a bad value. */
    ReviewOptions validated() {
        url = url.replaceAll("/+$", "");
        if (token == null) token = System.getenv("FOVEA_TOKEN");
        BenchOptions.require(token != null && !token.isBlank(), this, "an admin token is needed: --token or FOVEA_TOKEN");
        String host = URI.create(url).getHost();
        BenchOptions.require(host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                || host.equals("::1")), this, "--url must be a loopback address (127.x.x.x, localhost, [::1]), not " + url);
        BenchOptions.require(reviewers >= 1 && count >= 1 && count <= 50 && decisions >= 1 && seconds >= 1, this,
                "a count is out of range: --reviewers " + reviewers + ", --count " + count + ", --decisions " + decisions
                        + ", --seconds " + seconds);
        BenchOptions.require(!(skipServer && skipBrowser), this, "nothing to do with both --skip-server and --skip-browser");
        return this;
    }
}
