package dev.fovea.bench;

import static dev.fovea.bench.ReviewApi.enc;
import static dev.fovea.bench.ReviewApi.map;

import dev.fovea.bench.ReviewSetup.Setup;
import dev.fovea.bench.support.Latencies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The review benchmark's browser part: key press to the next image on screen in headless Chromium. */
final class BrowserReviewPart {
    private BrowserReviewPart() {}

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

    /** What the page recorded: a measurement per key press, and how the session ended. */
    private record Session(List<Map<String, Object>> results, String version, int sent, String pageError,
            Boolean elementTiming) {}

    /** The measured decisions after the warm-up, one row of intervals (ms) each, and those that did not count. */
    private record Tally(List<double[]> rows, int abandoned, int failed, int waitedForServer, int sameImage) {}

    /** Intervals in ms, from the page's clock (performance.now() and event.timeStamp share its time origin). */
    private static final String[][] COLUMNS = {
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

    static boolean browserPart(ReviewOptions o, Setup s, Map<String, Object> json) throws Exception {
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
        Session session;
        try {
            session = review(o, s, driver, total);
        } finally {
            driver.quit();
            deleteTree(profile);
        }
        Tally t = tally(o, session.results());
        System.out.printf(Locale.ROOT, "Chromium %s; %d measured decisions; %d stored by the page (data-sent); error line: '%s'%n",
                session.version(), t.rows().size(), session.sent(), session.pageError());
        Map<String, Object> parts = printIntervals(t.rows(), session.elementTiming());
        System.out.printf(Locale.ROOT, "decisions where the next image was not waiting in the page's queue (src set after"
                + " the key press's task): %d; not completed: %d abandoned (next key first), %d failed; the same image"
                + " twice in a row: %d%n", t.waitedForServer(), t.abandoned(), t.failed(), t.sameImage());
        json.put("project", o.browserProject);
        json.put("images", s.browserImages());
        json.put("chromium", session.version());
        json.put("decisions", t.rows().size());
        json.put("warmup_decisions", o.warmupDecisions);
        json.put("pause_ms", o.pauseMillis);
        json.put("key_to_screen_ms", parts.get("screen"));
        json.put("key_to_painted_ms", parts.get("painted"));
        json.put("intervals_ms", parts);
        json.put("waited_for_server", t.waitedForServer());
        json.put("stored", session.sent());
        json.put("abandoned", t.abandoned());
        json.put("failed", t.failed());
        json.put("same_image_twice", t.sameImage());
        json.put("page_error", session.pageError());
        return t.rows().size() == o.decisions && session.sent() == total && session.pageError().isBlank()
                && t.sameImage() == 0 && parts.containsKey("screen");
    }

    /** Logs in, opens the review page, instruments it, and decides {@code total} images with the class's key. */
    private static Session review(ReviewOptions o, Setup s, ChromeDriver driver, int total) throws InterruptedException {
        String version = String.valueOf(driver.getCapabilities().getBrowserVersion());
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
        Boolean elementTiming = (Boolean) js.executeScript("return window.__bench.elementTiming");
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
        int sent = Integer.parseInt(body(driver, "data-sent").isEmpty() ? "0" : body(driver, "data-sent"));
        String pageError = driver.findElement(By.id("error")).getText();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) js.executeScript(
                "const B = window.__bench; return B.results.map((p) => Object.assign({}, p, { render: p.src ? B.renders[p.src] : undefined }));");
        return new Session(results, version, sent, pageError, elementTiming);
    }

    private static Tally tally(ReviewOptions o, List<Map<String, Object>> results) {
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
            rows.add(intervals(p));
        }
        return new Tally(rows, abandoned, failed, waitedForServer, sameImage);
    }

    /** One measurement's intervals, in the order of {@link #COLUMNS}. */
    private static double[] intervals(Map<String, Object> p) {
        double t0 = num(p, "t0");
        @SuppressWarnings("unchecked")
        Map<String, Object> r = p.get("render") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        double screen = positive(r, "presentationTime") > 0 ? positive(r, "presentationTime") : positive(r, "renderTime");
        return new double[] {screen - t0, num(p, "tPainted") - t0, num(p, "tDispatch") - t0, num(p, "tSrc") - num(p, "tDispatch"),
                num(p, "tLoad") - num(p, "tSrc"), num(p, "tFrame") - num(p, "tLoad"), num(p, "tPainted") - num(p, "tFrame"),
                num(p, "tDecoded") - t0, positive(r, "renderTime") - t0, positive(r, "paintTime") - t0,
                positive(r, "presentationTime") - t0};
    }

    /** Prints median, p95, max and min of each interval; returns them by column name. */
    private static Map<String, Object> printIntervals(List<double[]> rows, Boolean elementTiming) {
        System.out.printf(Locale.ROOT, "%-58s %8s %8s %8s %8s %5s%n", "interval (ms)", "median", "p95", "max", "min", "n");
        Map<String, Object> parts = new LinkedHashMap<>();
        for (int c = 0; c < COLUMNS.length; c++) {
            final int col = c;
            Latencies v = Latencies.ofMillis(rows.stream().mapToDouble(r -> r[col]).filter(Double::isFinite).toArray());
            if (v.count() == 0) {
                System.out.printf(Locale.ROOT, "%-58s %8s%n", COLUMNS[c][1], Boolean.TRUE.equals(elementTiming)
                        ? "(no values)" : "(Element Timing not supported)");
                continue;
            }
            double median = v.percentileMs(50), p95 = v.percentileMs(95);
            System.out.printf(Locale.ROOT, "%-58s %8.1f %8.1f %8.1f %8.1f %5d%n", COLUMNS[c][1], median, p95,
                    v.maxMs(), v.minMs(), v.count());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median", median);
            m.put("p95", p95);
            m.put("max", v.maxMs());
            m.put("min", v.minMs());
            m.put("n", v.count());
            parts.put(COLUMNS[c][0], m);
        }
        return parts;
    }

    static ChromeDriver chromium(ReviewOptions o, Path profile) {
        return dev.fovea.bench.support.Chromium.start(o.chromium, o.chromedriver, profile);
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

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile left behind is harmless
        }
    }
}
