package dev.fovea.bench;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.json.Json;
import org.openqa.selenium.support.ui.WebDriverWait;

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
    private static final Json JSON = new Json();
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private ReviewBenchmark() {}

    /**
     * Installed once in the review page; times each decision on the page's own clock (performance.now() and the
     * event's timeStamp share its time origin).
     *
     * <ul>
     * <li>t0: the keydown event's timeStamp, when Chromium created the key event (a capturing listener on window,
     * which runs before the page's own listener on document, opens the measurement; tDispatch is when it runs).
     * <li>tSrc: a MutationObserver on #current sees the page set the next image's src. sync tells whether that
     * happened within the key press's own task (the next image was waiting in the page's queue) or later (the
     * page had to wait for the server first).
     * <li>tLoad: the image's load event; tFrame: a requestAnimationFrame callback requested in the load handler
     * (the start of the first frame after the load); tPainted: a MessageChannel message posted from that
     * callback, which runs once that frame's main-thread rendering (style, layout, paint, commit to the
     * compositor) is done. tDecoded: img.decode() (called at load) resolved, the decoded bitmap ready.
     * <li>render: the Element Timing entry Chromium reports for the new image on #current (elementtiming set here):
     * renderTime, and where given paintTime and presentationTime (when the frame showing it was presented).
     * </ul>
     */
    static final String INSTRUMENT = """
            const img = document.getElementById('current');
            const B = window.__bench = { results: [], pending: null, waiter: null, renders: {} };
            const finish = (p) => {
              if (p.done) return;
              p.done = true;
              B.results.push(p);
              if (B.pending === p) B.pending = null;
              if (B.waiter) B.waiter();
            };
            const complete = (p) => { if (p.tPainted !== undefined && p.tDecoded !== undefined) finish(p); };
            window.addEventListener('keydown', (e) => {
              if (B.pending) { B.pending.abandoned = true; finish(B.pending); }
              const p = B.pending = { t0: e.timeStamp, tDispatch: performance.now(), before: img.getAttribute('src'), key: e.key };
              const channel = new MessageChannel(); // runs after the key press's task, and its microtasks, are over
              channel.port1.onmessage = () => { p.taskOver = true; };
              channel.port2.postMessage(null);
            }, true);
            new MutationObserver(() => {
              const p = B.pending;
              const src = img.getAttribute('src');
              if (p && p.tSrc === undefined && src !== p.before) { p.tSrc = performance.now(); p.src = src; p.sync = !p.taskOver; }
            }).observe(img, { attributes: true, attributeFilter: ['src'] });
            img.addEventListener('load', () => {
              const p = B.pending;
              if (!p || p.tSrc === undefined || p.tLoad !== undefined || img.getAttribute('src') !== p.src) return;
              p.tLoad = performance.now();
              requestAnimationFrame(() => {
                p.tFrame = performance.now();
                const channel = new MessageChannel();
                channel.port1.onmessage = () => { p.tPainted = performance.now(); complete(p); };
                channel.port2.postMessage(null);
              });
              img.decode().catch((err) => { p.decodeError = String(err); }).then(() => { p.tDecoded = performance.now(); complete(p); });
            });
            img.addEventListener('error', () => {
              const p = B.pending;
              if (p && p.tSrc !== undefined && p.tLoad === undefined) { p.error = 'image failed to load: ' + p.src; finish(p); }
            });
            try {
              img.setAttribute('elementtiming', 'current');
              new PerformanceObserver((list) => {
                for (const entry of list.getEntries()) {
                  if (entry.identifier !== 'current' || !entry.url) continue;
                  B.renders[new URL(entry.url).pathname] = {
                    renderTime: entry.renderTime, loadTime: entry.loadTime,
                    paintTime: entry.paintTime, presentationTime: entry.presentationTime };
                }
              }).observe({ type: 'element', buffered: true });
              B.elementTiming = true;
            } catch (err) {
              B.elementTiming = false;
            }
            return true;
            """;

    /** Waits in the page until {@code arguments[0]} measurements are complete (executeAsyncScript, so no polling). */
    static final String AWAIT = """
            const n = arguments[0];
            const done = arguments[arguments.length - 1];
            const B = window.__bench;
            const check = () => { if (B.results.length >= n) { B.waiter = null; done(B.results.length); } };
            B.waiter = check;
            check();
            """;

    /** Selenium warns that it has no DevTools (CDP) classes for this Chromium: harmless here, none are used. */
    private static final java.util.logging.Logger SELENIUM_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium");

    public static void main(String[] args) throws Exception {
        SELENIUM_LOG.setLevel(java.util.logging.Level.SEVERE);
        Options o = Options.parse(args);
        String token = o.token != null ? o.token : System.getenv("FOVEA_TOKEN");
        if (token == null || token.isBlank()) usage("an admin token is needed: --token or FOVEA_TOKEN");
        Runtime rt = Runtime.getRuntime();
        System.out.println("jvm: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), cores: "
                + rt.availableProcessors() + ", max heap: " + rt.maxMemory() / (1024 * 1024) + " MiB, args: "
                + ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("server: " + o.url);

        Api admin = new Api(o.url, token);
        Setup setup = setup(o, admin);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "review");
        json.put("jvm", Runtime.version().toString());
        json.put("cores", rt.availableProcessors());
        json.put("max_heap_mib", rt.maxMemory() / (1024 * 1024));
        json.put("url", o.url);
        boolean ok = true;
        if (!o.skipServer) {
            Map<String, Object> server = new LinkedHashMap<>();
            ok &= serverPart(o, setup, admin, server);
            json.put("server", server);
        }
        if (!o.skipBrowser) {
            Map<String, Object> browser = new LinkedHashMap<>();
            ok &= browserPart(o, setup, browser);
            json.put("browser", browser);
        }
        json.put("ok", ok);
        json.put("at", Instant.now().toString());
        System.out.println();
        System.out.println(toJson(json));
        System.exit(ok ? 0 : 1);
    }

    // ---- setup through the admin API

    record Account(String name, String password, String token) {}

    record Setup(List<Account> reviewers, Account browser, String serverClass, String browserClass, String browserKey,
            int serverImages, int browserImages) {}

    static Setup setup(Options o, Api admin) throws Exception {
        long t0 = System.nanoTime();
        List<String> projects = new ArrayList<>();
        if (!o.skipServer) projects.add(o.serverProject);
        if (!o.skipBrowser && !projects.contains(o.browserProject)) projects.add(o.browserProject);
        for (String p : projects) {
            admin.expect(200, "PUT", "/api/projects/" + enc(p) + "/review/settings",
                    Map.of("reviews_per_image", 1, "double_review_fraction", 0.0));
        }
        List<Account> reviewers = new ArrayList<>();
        if (!o.skipServer) {
            for (int i = 1; i <= o.reviewers; i++) {
                reviewers.add(account(admin, String.format(Locale.ROOT, "%s-r%02d", o.prefix, i), o.serverProject));
            }
        }
        Account browser = o.skipBrowser ? null : account(admin, o.prefix + "-browser", o.browserProject);
        String serverClass = null, browserClass = null, browserKey = null;
        int serverImages = 0, browserImages = 0;
        if (!o.skipServer) {
            Map<String, Object> overview = new Api(o.url, reviewers.get(0).token()).expect(200, "GET",
                    "/api/projects/" + enc(o.serverProject) + "/review", null);
            serverClass = firstClass(overview, o.serverProject);
            serverImages = ((Number) overview.get("images")).intValue();
        }
        if (!o.skipBrowser) {
            Map<String, Object> overview = new Api(o.url, browser.token()).expect(200, "GET",
                    "/api/projects/" + enc(o.browserProject) + "/review", null);
            browserClass = firstClass(overview, o.browserProject);
            browserImages = ((Number) overview.get("images")).intValue();
            @SuppressWarnings("unchecked")
            Map<String, Object> keys = (Map<String, Object>) overview.get("keys");
            Object key = keys.get(browserClass);
            if (key == null) throw new IllegalStateException("class '" + browserClass + "' has no key: " + keys);
            browserKey = key.toString();
        }
        System.out.printf(Locale.ROOT, "setup: single review (reviews_per_image 1, double_review_fraction 0) in %s;"
                + " %d reviewer accounts with review tokens added to '%s'%s, through the admin API in %.1f s%n",
                String.join(", ", projects), reviewers.size(), o.serverProject,
                browser == null ? "" : ", '" + browser.name() + "' to '" + o.browserProject + "'", (System.nanoTime() - t0) / 1e9);
        return new Setup(reviewers, browser, serverClass, browserClass, browserKey, serverImages, browserImages);
    }

    private static Account account(Api admin, String name, String project) throws Exception {
        Map<String, Object> user = admin.expect(201, "POST", "/api/users", Map.of("name", name, "role", "reviewer"));
        Map<String, Object> token = admin.expect(201, "POST", "/api/tokens",
                Map.of("user", name, "scope", "review", "name", "review-bench"));
        admin.expect(201, "POST", "/api/projects/" + enc(project) + "/reviewers",
                Map.of("user", name, "hourly_rate", 10, "currency", "EUR"));
        return new Account(name, (String) user.get("password"), (String) token.get("token"));
    }

    private static String firstClass(Map<String, Object> overview, String project) {
        List<?> classes = (List<?>) overview.get("classes");
        if (classes == null || classes.isEmpty()) throw new IllegalStateException("project '" + project + "' has no classes");
        return classes.get(0).toString();
    }

    // ---- server: N reviewers at once

    /** One reviewer's thread: queue call, then a decision for each image handed out, round after round. */
    static final class Reviewer implements Runnable {
        final Account account;
        final Options o;
        final String cls;
        final CyclicBarrier barrier;
        long start; // System.nanoTime() shared by all threads
        long deadline;
        final Samples queueCalls = new Samples();
        final Samples decisions = new Samples();
        final List<String> handedOut = new ArrayList<>();
        int emptyAnswers, rounds, errors;
        final List<String> errorTexts = new ArrayList<>();
        String stoppedBecause = "time";

        Reviewer(Account account, Options o, String cls, CyclicBarrier barrier) {
            this.account = account;
            this.o = o;
            this.cls = cls;
            this.barrier = barrier;
        }

        @Override
        public void run() {
            Api api = new Api(o.url, account.token());
            String base = "/api/projects/" + enc(o.serverProject);
            try {
                barrier.await();
                while (System.nanoTime() < deadline && (o.rounds == 0 || rounds < o.rounds)) {
                    long t0 = System.nanoTime();
                    Api.Answer a = api.send("GET", base + "/review/queue?count=" + o.count, null);
                    long t1 = System.nanoTime();
                    queueCalls.add(t0 - start, t1 - t0);
                    if (a.status() != 200) {
                        error("GET queue: " + a.status() + " " + a.body());
                        continue;
                    }
                    List<?> images = (List<?>) map(a.body()).get("images");
                    if (images.isEmpty()) {
                        emptyAnswers++;
                        stoppedBecause = "nothing left";
                        break;
                    }
                    for (Object item : images) {
                        String id = (String) ((Map<?, ?>) item).get("id");
                        handedOut.add(id);
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("client_id", UUID.randomUUID().toString());
                        body.put("image", id);
                        body.put("decision", "suitable");
                        body.put("class", cls);
                        body.put("duration_ms", 1500);
                        long d0 = System.nanoTime();
                        Api.Answer r = api.send("POST", base + "/reviews", body);
                        long d1 = System.nanoTime();
                        decisions.add(d0 - start, d1 - d0);
                        if (r.status() != 201) error("POST review: " + r.status() + " " + r.body());
                        if (o.thinkMillis > 0) Thread.sleep(o.thinkMillis);
                    }
                    rounds++;
                }
                if (o.rounds != 0 && rounds >= o.rounds) stoppedBecause = "rounds";
            } catch (Exception e) {
                error("stopped by " + e);
                stoppedBecause = "error";
            }
        }

        private void error(String text) {
            errors++;
            if (errorTexts.size() < 3) errorTexts.add(account.name() + ": " + (text.length() > 300 ? text.substring(0, 300) : text));
            if (errors > 20) throw new IllegalStateException("more than 20 errors");
        }
    }

    static boolean serverPart(Options o, Setup s, Api admin, Map<String, Object> json) throws Exception {
        System.out.println();
        System.out.printf(Locale.ROOT, "server: %d reviewers at once on project '%s' (%d images, single review), each on"
                + " its own connection: GET review/queue?count=%d, then one POST reviews (suitable, class '%s') per image"
                + " handed out; %s; the first %d s count as warm-up%n", s.reviewers().size(), o.serverProject,
                s.serverImages(), o.count, s.serverClass(),
                o.rounds == 0 ? "for " + o.seconds + " s or until the project has nothing left"
                        : o.rounds + " rounds each (at most " + o.seconds + " s)",
                o.warmupSeconds);
        System.out.println(o.thinkMillis == 0 ? "no pause between requests: a closed loop at full speed, so the figures"
                + " include waiting behind the other reviewers' requests" : "a pause of " + o.thinkMillis
                + " ms after each decision");
        CyclicBarrier barrier = new CyclicBarrier(s.reviewers().size() + 1);
        List<Reviewer> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (Account a : s.reviewers()) {
            Reviewer r = new Reviewer(a, o, s.serverClass(), barrier);
            workers.add(r);
            Thread t = new Thread(r, "reviewer-" + a.name());
            threads.add(t);
            t.start();
        }
        long start = System.nanoTime();
        for (Reviewer r : workers) {
            r.start = start;
            r.deadline = start + o.seconds * 1_000_000_000L;
        }
        long cpu0 = cpuNanos(), server0 = processCpuMillis(o.serverPid);
        long[] machine0 = machineCpuTicks();
        barrier.await();
        for (Thread t : threads) t.join();
        long end = System.nanoTime();
        double wall = (end - start) / 1e9;
        double clientCpu = (cpuNanos() - cpu0) / 1e9;
        long server1 = processCpuMillis(o.serverPid);
        long[] machine1 = machineCpuTicks();
        double serverCpu = server0 < 0 || server1 < 0 ? Double.NaN : (server1 - server0) / 1e3;
        double machineBusy = machine0 == null || machine1 == null || machine1[1] == machine0[1] ? Double.NaN
                : 100.0 * (machine1[0] - machine0[0]) / (machine1[1] - machine0[1]);

        Samples calls = new Samples(), decided = new Samples();
        int errors = 0, empty = 0;
        List<String> errorTexts = new ArrayList<>();
        Map<String, List<String>> byImage = new HashMap<>();
        Map<String, Integer> stops = new LinkedHashMap<>();
        for (Reviewer r : workers) {
            calls.addAll(r.queueCalls);
            decided.addAll(r.decisions);
            errors += r.errors;
            empty += r.emptyAnswers;
            errorTexts.addAll(r.errorTexts);
            stops.merge(r.stoppedBecause, 1, Integer::sum);
            for (String id : r.handedOut) byImage.computeIfAbsent(id, k -> new ArrayList<>()).add(r.account.name());
        }
        // Every hand-out in a single-review project must be the image's only one: a decided image's claim stays
        // filled, so an image seen twice (by two reviewers, or twice by one) was handed out while it was taken.
        int handOuts = byImage.values().stream().mapToInt(List::size).sum();
        int twoReviewers = 0, sameReviewerTwice = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byImage.entrySet()) {
            Set<String> distinct = new HashSet<>(e.getValue());
            if (distinct.size() > 1) {
                twoReviewers++;
                if (examples.size() < 5) examples.add(e.getKey().substring(0, 12) + " -> " + e.getValue());
            }
            if (distinct.size() < e.getValue().size()) sameReviewerTwice++;
        }
        long warm = o.warmupSeconds * 1_000_000_000L;
        Stat all = calls.stat(0), warmOnly = calls.stat(warm), dAll = decided.stat(0), dWarm = decided.stat(warm);
        double lastEnd = Math.max(calls.lastEnd(), decided.lastEnd()) / 1e9;
        double measured = Math.max(1e-9, lastEnd - o.warmupSeconds);

        System.out.printf(Locale.ROOT, "ran %.1f s; stopped: %s; CPU: server %s, this client %.1f s (%.0f%% of one core);"
                + " the whole machine %s busy%n", wall, stops,
                Double.isNaN(serverCpu) ? "not sampled (no --server-pid)"
                        : String.format(Locale.ROOT, "%.1f s (%.0f%% of one core)", serverCpu, 100 * serverCpu / wall),
                clientCpu, 100 * clientCpu / wall,
                Double.isNaN(machineBusy) ? "?" : String.format(Locale.ROOT, "%.0f%%", machineBusy));
        System.out.printf(Locale.ROOT, "                              %8s %8s %8s %8s %7s   %s%n", "p50 ms", "p95 ms", "p99 ms", "max ms", "n", "rate");
        System.out.printf(Locale.ROOT, "queue call (all)              %s   %.1f calls/s%n", all.format(), all.n() / wall);
        System.out.printf(Locale.ROOT, "queue call (after %2d s)       %s   %.1f calls/s%n", o.warmupSeconds, warmOnly.format(),
                warmOnly.n() / measured);
        System.out.printf(Locale.ROOT, "decision POST (all)           %s   %.1f decisions/s%n", dAll.format(), dAll.n() / wall);
        System.out.printf(Locale.ROOT, "decision POST (after %2d s)    %s   %.1f decisions/s%n", o.warmupSeconds, dWarm.format(),
                dWarm.n() / measured);
        System.out.printf(Locale.ROOT, "hand-outs: %d (%d distinct images of %d, %d empty answers); images handed to two"
                + " reviewers: %d; handed twice to one reviewer: %d%n", handOuts, byImage.size(), s.serverImages(), empty,
                twoReviewers, sameReviewerTwice);
        for (String e : examples) System.out.println("  duplicate: " + e);
        // The server's side of it: every decision stored once, on as many images as were handed out.
        Map<String, Object> stats = admin.expect(200, "GET", "/api/projects/" + enc(o.serverProject) + "/review/stats", null);
        long storedReviews = 0;
        for (Object r : (List<?>) stats.get("reviewers")) storedReviews += ((Number) ((Map<?, ?>) r).get("reviews")).longValue();
        Object states = stats.get("images_by_state");
        System.out.printf(Locale.ROOT, "server's figures (GET review/stats): %d reviews stored; images by state %s%n",
                storedReviews, states);
        System.out.println("errors: " + errors);
        for (String e : errorTexts) System.out.println("  error: " + e);

        json.put("project", o.serverProject);
        json.put("images", s.serverImages());
        json.put("reviewers", s.reviewers().size());
        json.put("count", o.count);
        json.put("seconds", round(wall));
        json.put("warmup_seconds", o.warmupSeconds);
        json.put("stopped", stops);
        json.put("queue_ms", all.json());
        json.put("queue_ms_after_warmup", warmOnly.json());
        json.put("queue_calls_per_s", round(all.n() / wall));
        json.put("queue_calls_per_s_after_warmup", round(warmOnly.n() / measured));
        json.put("decision_ms", dAll.json());
        json.put("decision_ms_after_warmup", dWarm.json());
        json.put("decisions_per_s", round(dAll.n() / wall));
        json.put("hand_outs", handOuts);
        json.put("distinct_images", byImage.size());
        json.put("empty_answers", empty);
        json.put("images_to_two_reviewers", twoReviewers);
        json.put("images_twice_to_one_reviewer", sameReviewerTwice);
        json.put("errors", errors);
        json.put("reviews_stored", storedReviews);
        json.put("images_by_state", states);
        json.put("client_cpu_s", round(clientCpu));
        json.put("server_cpu_s", round(serverCpu));
        json.put("machine_busy_percent", round(machineBusy));
        json.put("think_ms", o.thinkMillis);
        return errors == 0 && twoReviewers == 0 && sameReviewerTwice == 0 && storedReviews == byImage.size();
    }

    // ---- browser: key press to the next image on screen

    static boolean browserPart(Options o, Setup s, Map<String, Object> json) throws Exception {
        int total = o.warmupDecisions + o.decisions;
        System.out.println();
        System.out.printf(Locale.ROOT, "browser: headless Chromium (%s) via %s; reviewer '%s' on project '%s' (%d images);"
                + " %d decisions with key '%s' (class '%s'), the first %d not counted, %d ms pause after each image is on screen%n",
                o.chromium, o.chromedriver, s.browser().name(), o.browserProject, s.browserImages(), total, s.browserKey(),
                s.browserClass(), o.warmupDecisions, o.pauseMillis);
        if (s.browserImages() < total + 12) {
            throw new IllegalStateException("project '" + o.browserProject + "' has " + s.browserImages() + " images; "
                    + total + " decisions need at least " + (total + 12));
        }
        Path profile = Files.createTempDirectory("fovea-review-bench-chromium");
        ChromeDriver driver = chromium(o, profile);
        List<Map<String, Object>> results;
        String version;
        int sent;
        String pageError;
        Boolean elementTiming;
        try {
            version = String.valueOf(driver.getCapabilities().getBrowserVersion());
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            driver.get(o.url + "/login");
            driver.findElement(By.id("user")).sendKeys(s.browser().name());
            driver.findElement(By.id("password")).sendKeys(s.browser().password());
            driver.findElement(By.id("login-button")).click();
            wait.until(d -> (o.url + "/").equals(d.getCurrentUrl()));
            driver.get(o.url + "/projects/" + enc(o.browserProject) + "/review");
            wait.until(d -> "true".equals(body(driver, "data-ready")));
            JavascriptExecutor js = driver;
            js.executeScript(INSTRUMENT);
            elementTiming = (Boolean) js.executeScript("return window.__bench.elementTiming");
            for (int i = 0; i < total; i++) {
                new Actions(driver).sendKeys(s.browserKey()).perform();
                try {
                    js.executeAsyncScript(AWAIT, i + 1);
                } catch (org.openqa.selenium.ScriptTimeoutException e) {
                    System.out.println("error: decision " + (i + 1) + " showed no next image within 30 s; stopping here");
                    break;
                }
                if (o.pauseMillis > 0) Thread.sleep(o.pauseMillis);
            }
            // Each measurement is complete; let the page send the last decisions, then read everything.
            try {
                wait.until(d -> String.valueOf(total).equals(body(driver, "data-sent")));
            } catch (org.openqa.selenium.TimeoutException e) {
                System.out.println("warning: the page stored " + body(driver, "data-sent") + " of " + total + " decisions");
            }
            sent = Integer.parseInt(body(driver, "data-sent").isEmpty() ? "0" : body(driver, "data-sent"));
            pageError = driver.findElement(By.id("error")).getText();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> r = (List<Map<String, Object>>) js.executeScript(
                    "const B = window.__bench; return B.results.map((p) => Object.assign({}, p, { render: p.src ? B.renders[p.src] : undefined }));");
            results = r;
        } finally {
            driver.quit();
            deleteTree(profile);
        }

        // Intervals in ms, from the page's clock (performance.now() and event.timeStamp share its time origin).
        String[][] columns = {
                {"screen", "key press to next image on screen (Element Timing)"},
                {"painted", "key press to first frame after load painted (script)"},
                {"input", "  key event to page's listener"},
                {"handler", "  listener to next src set"},
                {"load", "  src set to load event"},
                {"frame_wait", "  load to next frame start (rAF)"},
                {"frame", "  frame start to frame painted"},
                {"decoded", "key press to img.decode() resolved"},
                {"render", "key press to Element Timing renderTime"},
                {"paint_time", "key press to Element Timing paintTime"},
                {"presentation", "key press to Element Timing presentationTime"}};
        List<double[]> rows = new ArrayList<>();
        int abandoned = 0, failed = 0, waitedForServer = 0, sameImage = 0;
        String previousSrc = null;
        for (int i = 0; i < results.size(); i++) {
            Map<String, Object> p = results.get(i);
            String src = (String) p.get("src");
            boolean bad = Boolean.TRUE.equals(p.get("abandoned")) || p.get("error") != null || p.get("tPainted") == null;
            if (src != null && src.equals(previousSrc)) sameImage++;
            previousSrc = src;
            if (i < o.warmupDecisions) continue;
            if (bad) {
                if (Boolean.TRUE.equals(p.get("abandoned"))) abandoned++;
                else failed++;
                continue;
            }
            if (Boolean.FALSE.equals(p.get("sync"))) waitedForServer++;
            double t0 = num(p, "t0");
            @SuppressWarnings("unchecked")
            Map<String, Object> r = p.get("render") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            double screen = positive(r, "presentationTime") > 0 ? positive(r, "presentationTime") : positive(r, "renderTime");
            rows.add(new double[] {screen - t0, num(p, "tPainted") - t0, num(p, "tDispatch") - t0, num(p, "tSrc") - num(p, "tDispatch"),
                    num(p, "tLoad") - num(p, "tSrc"), num(p, "tFrame") - num(p, "tLoad"), num(p, "tPainted") - num(p, "tFrame"),
                    num(p, "tDecoded") - t0, positive(r, "renderTime") - t0, positive(r, "paintTime") - t0,
                    positive(r, "presentationTime") - t0});
        }
        System.out.printf(Locale.ROOT, "Chromium %s; %d measured decisions; %d stored by the page (data-sent); error line: '%s'%n",
                version, rows.size(), sent, pageError);
        System.out.printf(Locale.ROOT, "%-58s %8s %8s %8s %8s %5s%n", "interval (ms)", "median", "p95", "max", "min", "n");
        Map<String, Object> parts = new LinkedHashMap<>();
        for (int c = 0; c < columns.length; c++) {
            final int col = c;
            double[] v = rows.stream().mapToDouble(r -> r[col]).filter(Double::isFinite).sorted().toArray();
            if (v.length == 0) {
                System.out.printf(Locale.ROOT, "%-58s %8s%n", columns[c][1], Boolean.TRUE.equals(elementTiming)
                        ? "(no values)" : "(Element Timing not supported)");
                continue;
            }
            double median = percentile(v, 50), p95 = percentile(v, 95);
            System.out.printf(Locale.ROOT, "%-58s %8.1f %8.1f %8.1f %8.1f %5d%n", columns[c][1], median, p95,
                    v[v.length - 1], v[0], v.length);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median", round(median));
            m.put("p95", round(p95));
            m.put("max", round(v[v.length - 1]));
            m.put("min", round(v[0]));
            m.put("n", v.length);
            parts.put(columns[c][0], m);
        }
        System.out.printf(Locale.ROOT, "decisions where the next image was not waiting in the page's queue (src set after"
                + " the key press's task): %d; not completed: %d abandoned (next key first), %d failed; the same image"
                + " twice in a row: %d%n", waitedForServer, abandoned, failed, sameImage);

        json.put("project", o.browserProject);
        json.put("images", s.browserImages());
        json.put("chromium", version);
        json.put("decisions", rows.size());
        json.put("warmup_decisions", o.warmupDecisions);
        json.put("pause_ms", o.pauseMillis);
        json.put("key_to_screen_ms", parts.get("screen"));
        json.put("key_to_painted_ms", parts.get("painted"));
        json.put("intervals_ms", parts);
        json.put("waited_for_server", waitedForServer);
        json.put("stored", sent);
        json.put("abandoned", abandoned);
        json.put("failed", failed);
        json.put("same_image_twice", sameImage);
        json.put("page_error", pageError);
        return rows.size() == o.decisions && sent == total && pageError.isBlank() && sameImage == 0 && parts.containsKey("screen");
    }

    /** Debian's Chromium with the flags the app's browser tests use (fovea-app's Browsers.java). */
    static ChromeDriver chromium(Options o, Path profile) {
        if (!new File(o.chromium).canExecute() || !new File(o.chromedriver).canExecute()) {
            throw new IllegalStateException("Chromium (" + o.chromium + ") or ChromeDriver (" + o.chromedriver
                    + ") is missing: apt-get install chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(o.chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--window-size=1280,900",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(o.chromedriver)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static String body(ChromeDriver driver, String attribute) {
        String v = driver.findElement(By.tagName("body")).getDomAttribute(attribute);
        return v == null ? "" : v;
    }

    private static double num(Map<String, Object> p, String key) {
        return p.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A timestamp that Chromium reports as 0 when it does not know it. */
    private static double positive(Map<String, Object> p, String key) {
        double v = num(p, key);
        return v > 0 ? v : Double.NaN;
    }

    // ---- HTTP

    static final class Api {
        record Answer(int status, String body) {}

        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        final String url;
        final String token;

        Api(String url, String token) {
            this.url = url;
            this.token = token;
        }

        Answer send(String method, String path, Object body) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json");
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.toJson(body), StandardCharsets.UTF_8));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body());
        }

        Map<String, Object> expect(int status, String method, String path, Object body) throws IOException, InterruptedException {
            Answer a = send(method, path, body);
            if (a.status() != status) {
                throw new IllegalStateException(method + " " + path + " answered " + a.status() + " (expected " + status + "): " + a.body());
            }
            return a.body().isBlank() ? Map.of() : map(a.body());
        }
    }

    /** One line of JSON (maps, lists, strings, numbers, booleans, null). */
    static String toJson(Object v) {
        if (v == null) return "null";
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (b.length() > 1) b.append(',');
                b.append(toJson(String.valueOf(e.getKey()))).append(':').append(toJson(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (Object x : l) b.append(b.length() > 1 ? "," : "").append(toJson(x));
            return b.append(']').toString();
        }
        if (v instanceof Double d) return Double.isFinite(d) ? d.toString() : "null";
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        StringBuilder out = new StringBuilder("\"");
        for (char c : v.toString().toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }

    static Map<String, Object> map(String json) {
        return JSON.toType(json, Json.MAP_TYPE);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- figures

    /** Latencies with the time each call started (both in ns since the start). */
    static final class Samples {
        long[] startedAt = new long[1024];
        long[] nanos = new long[1024];
        int n;

        void add(long started, long latency) {
            if (n == nanos.length) {
                nanos = Arrays.copyOf(nanos, n * 2);
                startedAt = Arrays.copyOf(startedAt, n * 2);
            }
            startedAt[n] = started;
            nanos[n++] = latency;
        }

        void addAll(Samples other) {
            for (int i = 0; i < other.n; i++) add(other.startedAt[i], other.nanos[i]);
        }

        /** Calls started at or after {@code from} ns. */
        Stat stat(long from) {
            double[] v = new double[n];
            int k = 0;
            for (int i = 0; i < n; i++) if (startedAt[i] >= from) v[k++] = nanos[i] / 1e6;
            v = Arrays.copyOf(v, k);
            Arrays.sort(v);
            return new Stat(k == 0 ? Double.NaN : percentile(v, 50), k == 0 ? Double.NaN : percentile(v, 95),
                    k == 0 ? Double.NaN : percentile(v, 99), k == 0 ? Double.NaN : v[k - 1], k);
        }

        long lastEnd() {
            long last = 0;
            for (int i = 0; i < n; i++) last = Math.max(last, startedAt[i] + nanos[i]);
            return last;
        }
    }

    record Stat(double p50, double p95, double p99, double max, int n) {
        String format() {
            return String.format(Locale.ROOT, "%8.1f %8.1f %8.1f %8.1f %7d", p50, p95, p99, max, n);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p50", round(p50));
            m.put("p95", round(p95));
            m.put("p99", round(p99));
            m.put("max", round(max));
            m.put("n", n);
            return m;
        }
    }

    /** Nearest rank on sorted values. */
    static double percentile(double[] sorted, double p) {
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static Object round(double v) {
        return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : null;
    }

    private static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** utime + stime of a process from /proc/PID/stat, in ms (100 ticks a second); -1 if unknown. */
    static long processCpuMillis(long pid) {
        if (pid <= 0) return -1;
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {busy, total} jiffies of all CPUs from /proc/stat (busy leaves out idle and iowait); null if unknown. */
    static long[] machineCpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile left behind is harmless
        }
    }

    // ---- options

    static final class Options {
        String url, token, serverProject = "review-server", browserProject = "review-browser", prefix = "bench";
        String chromium = CHROMIUM, chromedriver = CHROMEDRIVER;
        int reviewers = 10, count = 10, seconds = 120, rounds = 25, warmupSeconds = 5;
        int decisions = 100, warmupDecisions = 5, pauseMillis = 200, thinkMillis = 0;
        long serverPid = -1;
        boolean skipServer, skipBrowser;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--url" -> o.url = value(args, ++i).replaceAll("/+$", "");
                    case "--token" -> o.token = value(args, ++i);
                    case "--server-project" -> o.serverProject = value(args, ++i);
                    case "--browser-project" -> o.browserProject = value(args, ++i);
                    case "--prefix" -> o.prefix = value(args, ++i);
                    case "--reviewers" -> o.reviewers = Integer.parseInt(value(args, ++i));
                    case "--count" -> o.count = Integer.parseInt(value(args, ++i));
                    case "--seconds" -> o.seconds = Integer.parseInt(value(args, ++i));
                    case "--rounds" -> o.rounds = Integer.parseInt(value(args, ++i));
                    case "--warmup-seconds" -> o.warmupSeconds = Integer.parseInt(value(args, ++i));
                    case "--decisions" -> o.decisions = Integer.parseInt(value(args, ++i));
                    case "--warmup-decisions" -> o.warmupDecisions = Integer.parseInt(value(args, ++i));
                    case "--pause-ms" -> o.pauseMillis = Integer.parseInt(value(args, ++i));
                    case "--think-ms" -> o.thinkMillis = Integer.parseInt(value(args, ++i));
                    case "--server-pid" -> o.serverPid = Long.parseLong(value(args, ++i));
                    case "--chromium" -> o.chromium = value(args, ++i);
                    case "--chromedriver" -> o.chromedriver = value(args, ++i);
                    case "--skip-server" -> o.skipServer = true;
                    case "--skip-browser" -> o.skipBrowser = true;
                    default -> usage("unknown argument " + args[i]);
                }
            }
            if (o.url == null) usage("--url is needed");
            URI u = URI.create(o.url);
            String host = u.getHost();
            if (host == null || !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"))) {
                usage("--url must be a loopback address (127.x.x.x, localhost, [::1]), not " + o.url);
            }
            if (o.reviewers < 1 || o.count < 1 || o.count > 50 || o.decisions < 1 || o.seconds < 1) usage("a count is out of range");
            if (o.skipServer && o.skipBrowser) usage("nothing to do with both --skip-server and --skip-browser");
            return o;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) usage(args[i - 1] + " needs a value");
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("ReviewBenchmark: " + problem);
        System.err.println("usage: FOVEA_TOKEN=ADMIN_TOKEN ReviewBenchmark --url http://127.0.0.1:PORT"
                + " [--server-project review-server] [--browser-project review-browser] [--reviewers 10] [--count 10]"
                + " [--seconds 120] [--rounds 25 (0: until --seconds)] [--warmup-seconds 5] [--think-ms 0] [--server-pid PID]"
                + " [--decisions 100] [--warmup-decisions 5] [--pause-ms 200] [--prefix bench] [--chromium PATH] [--chromedriver PATH] [--skip-server] [--skip-browser]");
        System.exit(2);
    }
}
