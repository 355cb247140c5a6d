package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.project.Project;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.UnhandledAlertException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review page as issue 16 found it, in real headless Chromium: decisions made offline (finding 1), the grid
 * (findings 2 and 3). Each test fails on the page before the outbox and the grid fixes.
 */
class ReviewPageIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    Project zoo;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        zoo = t.storage.projects().create("zoo", List.of("animal", "food"));
        for (Path png : samplePngs("animals-nature", 14)) t.context.ingest().ingest(zoo, png.getFileName().toString(), bytes(png), null);
        t.context.reviews().addReviewer(zoo, "helper", 1200, "EUR");
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private void openReviewPage() {
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys("helper");
        browser.findElement(By.id("password")).sendKeys(t.reviewer.password());
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
        browser.get(t.url("/projects/zoo/review"));
        wait.until(d -> "true".equals(body("data-ready")));
    }

    private String body(String attribute) {
        String v = browser.findElement(By.tagName("body")).getDomAttribute(attribute);
        return v == null ? "" : v;
    }

    private String press(String key, String before) {
        t.clock.advance(Duration.ofSeconds(5));
        new Actions(browser).sendKeys(key).perform();
        wait.until(d -> !body("data-current").equals(before));
        return body("data-current");
    }

    /** The images of this project's decisions on the server, in the order the server stored them. */
    private List<String> serverDecisions(boolean includeUndone) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = t.storage.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("SELECT sha256 FROM review WHERE project_id = ?"
                        + (includeUndone ? "" : " AND undone_at IS NULL") + " ORDER BY seq")) {
            s.setObject(1, zoo.id());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    private void network(boolean offline) {
        ChromiumNetworkConditions conditions = new ChromiumNetworkConditions();
        conditions.setOffline(offline);
        browser.setNetworkConditions(conditions);
    }

    /** Finding 1: 5 decisions online, 5 offline, a reload while offline, back online: all 10 once, in order. */
    @Test
    void decisionsMadeOfflineSurviveAReloadAndArriveOnceInOrder() throws Exception {
        openReviewPage();
        List<String> made = new ArrayList<>();
        String current = body("data-current");
        for (int i = 0; i < 5; i++) {
            made.add(current);
            current = press("1", current);
        }
        wait.until(d -> "0".equals(body("data-unsent")) && "5".equals(body("data-sent")));
        assertThat(serverDecisions(true)).containsExactlyElementsOf(made);

        network(true);
        wait.until(d -> "true".equals(body("data-offline")));
        for (int i = 0; i < 5; i++) {
            made.add(current);
            current = press(i % 2 == 0 ? "2" : "x", current);
        }
        wait.until(d -> "5".equals(body("data-unsent")));
        assertThat(browser.findElement(By.id("unsent")).getText()).isEqualTo("5 unsent decisions");
        assertThat(browser.findElement(By.id("offline")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("offline")).getText()).startsWith("Offline: 5 decisions are kept on this device");
        Boolean warns = (Boolean) browser.executeScript(
                "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented;");
        assertThat(warns).as("a warning before closing the tab with unsent decisions").isTrue();
        Thread.sleep(1500); // retries run meanwhile and fail
        assertThat(serverDecisions(true)).hasSize(5);

        reloadAcceptingTheWarning(); // still offline: the browser cannot even load the page
        network(false);
        browser.get(t.url("/projects/zoo/review"));
        wait.until(d -> "true".equals(body("data-ready")));
        wait.until(d -> "0".equals(body("data-unsent")));
        assertThat(serverDecisions(true)).as("all 10 decisions on the server, once each, in the order made").containsExactlyElementsOf(made);
        assertThat(made).as("the refill after the reload never shows an image already decided").doesNotContain(body("data-current"));
        assertThat(browser.findElement(By.id("offline")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("unsent")).getText()).isEqualTo("All decisions saved");
    }

    /** Finding 1: when the connection comes back the outbox is sent at once, not at the next backoff step. */
    @Test
    void theOutboxIsSentAtOnceWhenTheBrowserIsOnlineAgain() throws Exception {
        openReviewPage();
        network(true);
        wait.until(d -> "true".equals(body("data-offline")));
        List<String> made = new ArrayList<>();
        String current = body("data-current");
        for (int i = 0; i < 2; i++) {
            made.add(current);
            current = press("1", current);
        }
        Thread.sleep(9000); // the retries back off to their 5 s cap meanwhile
        assertThat(serverDecisions(true)).isEmpty();
        assertThat(body("data-unsent")).isEqualTo("2");
        network(false);
        long start = System.nanoTime();
        new WebDriverWait(browser, Duration.ofMillis(2500)).until(d -> "0".equals(body("data-unsent")));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(serverDecisions(true)).containsExactlyElementsOf(made);
        assertThat(ms).as("ms from back online to all sent").isLessThan(2500);
        assertThat(browser.findElement(By.id("offline")).isDisplayed()).isFalse();
    }

    /** A reload with unsent decisions: the browser asks first; this test says "leave". */
    private void reloadAcceptingTheWarning() {
        try {
            browser.navigate().refresh();
        } catch (UnhandledAlertException ignored) {
            // the beforeunload prompt, answered below
        }
        try {
            browser.switchTo().alert().accept();
        } catch (NoAlertPresentException ignored) {
            // Chromium shows the prompt only after a user gesture it counted
        }
    }

    /** Findings 2 and 3: in and out of the grid, a submitted page, undo across modes, "nothing left" only at the end. */
    @Test
    void gridEntersLeavesSubmitsAndUndoesWithoutFreezing() throws Exception {
        openReviewPage();
        String first = body("data-current");
        new Actions(browser).sendKeys("g").perform();
        wait.until(d -> !d.findElements(By.cssSelector("#grid .tile")).isEmpty());
        assertThat(browser.findElement(By.id("grid")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("current")).isDisplayed()).isFalse();
        new Actions(browser).sendKeys("g").perform(); // leave again: the same image is back and keys work
        wait.until(d -> first.equals(body("data-current")));
        assertThat(browser.findElement(By.id("grid")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("current")).isDisplayed()).isTrue();
        String second = press("1", first);

        new Actions(browser).sendKeys("g").perform();
        wait.until(d -> !body("data-current").equals(second) && !browser.findElements(By.cssSelector("#grid .tile")).isEmpty());
        var tiles = browser.findElements(By.cssSelector("#grid .tile"));
        List<String> page = new ArrayList<>();
        for (var tile : tiles) page.add(tile.getDomAttribute("data-id"));
        assertThat(page).contains(second).doesNotContain(first);
        tiles.get(0).click(); // the first one is not suitable
        browser.findElement(By.id("grid-submit")).click();
        wait.until(d -> !body("data-current").isEmpty());
        assertThat(browser.findElement(By.id("empty")).isDisplayed()).as("'nothing left' while images remain").isFalse();
        assertThat(browser.findElement(By.id("grid")).isDisplayed()).isFalse();
        String afterGrid = body("data-current");
        assertThat(page).doesNotContain(afterGrid);
        wait.until(d -> "0".equals(body("data-unsent")));
        List<String> stored = serverDecisions(false);
        assertThat(stored).hasSize(1 + page.size());
        assertThat(stored.subList(1, stored.size())).containsExactlyElementsOf(page);

        // Undo from single mode takes back the grid page's last decision; undo in grid mode goes back to single mode.
        String back = press("u", afterGrid);
        assertThat(back).isEqualTo(page.get(page.size() - 1));
        new Actions(browser).sendKeys("g").perform();
        wait.until(d -> "grid".equals(body("data-mode")));
        new Actions(browser).sendKeys("u").perform();
        wait.until(d -> "single".equals(body("data-mode")) && page.get(page.size() - 2).equals(body("data-current")));
        wait.until(d -> serverDecisions0().size() == page.size() - 1);

        // Decide everything that is left: only then does the page say there is nothing left.
        String now = body("data-current");
        int guard = 0;
        while (!now.isEmpty() && guard++ < 20) {
            String before = now;
            t.clock.advance(Duration.ofSeconds(5));
            new Actions(browser).sendKeys("2").perform();
            wait.until(d -> !body("data-current").equals(before));
            now = body("data-current");
        }
        wait.until(d -> "done".equals(body("data-empty")));
        assertThat(browser.findElement(By.id("empty")).getText()).isEqualTo("Nothing left to review. Thank you!");
        assertThat(serverDecisions(false)).hasSize(14).doesNotHaveDuplicates();
    }

    private List<String> serverDecisions0() {
        try {
            return serverDecisions(false);
        } catch (Exception e) {
            throw new AssertionError("reading the decisions failed: " + e.getMessage(), e);
        }
    }

    /** Finding 6: "labelled" counts folder labels, and moves as decisions arrive. */
    @Test
    void finding6TheHeaderCountsFolderLabelsAndUpdatesAfterDecisions() throws Exception {
        Project folders = t.storage.projects().create("folders", List.of("animal", "food"));
        List<Path> pngs = samplePngs("food-drink", 10);
        for (int i = 0; i < pngs.size(); i++) {
            t.context.ingest().ingest(folders, pngs.get(i).getFileName().toString(), bytes(pngs.get(i)), i < 6 ? "food" : null);
        }
        var s = t.context.reviews().settings(folders);
        t.context.reviews().saveSettings(folders, new dev.fovea.core.review.ReviewSettings(s.criteria(), s.classKeys(), 1, 0.0,
                s.queueOrder(), s.idleSeconds(), s.agreementNeeded()));
        t.context.reviews().addReviewer(folders, "helper", 1200, "EUR");
        openReviewPage();
        browser.get(t.url("/projects/folders/review"));
        wait.until(d -> "true".equals(body("data-ready")));
        assertThat(browser.findElement(By.id("progress")).getText()).isEqualTo("You: 0 reviewed · project: 6 of 10 labelled");

        int expected = 6;
        String current = body("data-current");
        for (int i = 0; i < 8; i++) { // at least two of them without a folder label
            String label = t.storage.images().find(folders.id(), current).orElseThrow().label();
            if (label == null || label.isEmpty()) expected++; // an image with a folder label was counted already
            current = press("2", current);
        }
        String want = "You: 8 reviewed · project: " + expected + " of 10 labelled";
        wait.until(d -> want.equals(d.findElement(By.id("progress")).getText()));
    }

    /** A 1200x800 landscape drawn here (sky, sun, hills): a large photo-like image, small as a PNG. */
    static byte[] landscapePng() throws java.io.IOException {
        var image = new java.awt.image.BufferedImage(1200, 800, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new java.awt.GradientPaint(0, 0, new java.awt.Color(70, 130, 200), 0, 500, new java.awt.Color(250, 220, 170)));
        g.fillRect(0, 0, 1200, 800);
        g.setColor(new java.awt.Color(255, 240, 190));
        g.fillOval(820, 140, 150, 150);
        int[][] hills = {{520, 60, 90, 60, 110, 70}, {600, 45, 150, 40, 90, 50}, {690, 30, 220, 30, 60, 35}};
        for (int[] h : hills) {
            var path = new java.awt.geom.Path2D.Double();
            path.moveTo(0, 800);
            for (int x = 0; x <= 1200; x += 10) path.lineTo(x, h[0] - h[1] * Math.sin(x / (double) h[2]) - 12 * Math.sin(x / 23.0));
            path.lineTo(1200, 800);
            path.closePath();
            g.setPaint(new java.awt.GradientPaint(0, h[0] - h[1], new java.awt.Color(h[3], 120 + h[4], h[5]), 0, 800, new java.awt.Color(20, 60, 30)));
            g.fill(path);
        }
        g.dispose();
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private Object js(String script, Object... args) {
        return browser.executeScript(script, args);
    }

    private void viewport(int width, int height) {
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    }

    /** Every decision button (classes and the secondary row) wholly inside the viewport, and the page not scrolling. */
    private void assertButtonsVisibleWithoutScrolling(String where) {
        @SuppressWarnings("unchecked")
        List<String> outside = (List<String>) js("const out = [];"
                + "for (const b of document.querySelectorAll('.side .decisions button')) {"
                + "  const r = b.getBoundingClientRect();"
                + "  if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth || r.height === 0)"
                + "    out.push(b.textContent.trim() + ' at ' + Math.round(r.top) + '..' + Math.round(r.bottom));"
                + "} return out;");
        assertThat(outside).as("buttons outside the %s viewport", where).isEmpty();
        assertThat(((Number) js("return document.scrollingElement.scrollHeight - innerHeight")).intValue())
                .as("the page scrolls at %s", where).isLessThanOrEqualTo(0);
    }

    /** Finding 5: the image fills the viewing area (up with crisp pixels, down), zooms to 100 % and pans; buttons fit. */
    @Test
    void finding5TheImageFitsTheStageZoomsPansAndEveryButtonFits() throws Exception {
        Project pics = t.storage.projects().create("pics", List.of("cat", "dog", "bird", "fish", "horse", "cow", "sheep", "goat", "other"));
        byte[] tiny = bytes(samplePngs("animals-nature", 1).get(0));
        t.context.ingest().ingest(pics, "photo.png", landscapePng(), null);
        t.context.ingest().ingest(pics, "tiny.png", tiny, null);
        t.context.reviews().addReviewer(pics, "helper", 1200, "EUR");
        openReviewPage();
        Path docs = Path.of("..", "docs", "screenshots");
        java.nio.file.Files.createDirectories(docs);
        for (int[] size : new int[][] {{1400, 1000}, {1024, 768}, {768, 1024}}) {
            String where = size[0] + "x" + size[1];
            viewport(size[0], size[1]);
            browser.get(t.url("/projects/pics/review"));
            wait.until(d -> "true".equals(body("data-ready")));
            assertThat(browser.findElements(By.cssSelector(".side .decisions button"))).hasSize(14);
            assertButtonsVisibleWithoutScrolling(where);
            for (int i = 0; i < 2; i++) {
                wait.until(d -> (Boolean) js("return document.getElementById('current').complete && document.getElementById('current').naturalWidth > 0"));
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) js("const i = document.getElementById('current'), s = document.getElementById('stage');"
                        + "const a = i.getBoundingClientRect(), b = s.getBoundingClientRect();"
                        + "const scale = Math.min(a.width / i.naturalWidth, a.height / i.naturalHeight);"
                        + "return {w: i.naturalWidth, scale: scale, drawnW: i.naturalWidth * scale, drawnH: i.naturalHeight * scale,"
                        + " boxW: a.width, boxH: a.height, stageW: b.width, stageH: b.height, fit: getComputedStyle(i).objectFit,"
                        + " rendering: getComputedStyle(i).imageRendering};");
                double stageW = ((Number) m.get("stageW")).doubleValue(), stageH = ((Number) m.get("stageH")).doubleValue();
                double drawnW = ((Number) m.get("drawnW")).doubleValue(), drawnH = ((Number) m.get("drawnH")).doubleValue();
                boolean large = ((Number) m.get("w")).intValue() == 1200;
                assertThat(m.get("fit")).isEqualTo("contain");
                assertThat(((Number) m.get("boxW")).doubleValue()).as("image box width at %s", where).isCloseTo(stageW, org.assertj.core.data.Offset.offset(1.0));
                assertThat(Math.max(drawnW / stageW, drawnH / stageH)).as("the image fills the stage at %s: %s", where, m)
                        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
                assertThat(stageH).as("stage height at %s", where).isGreaterThan(size[1] * 0.35);
                if (large) {
                    assertThat(((Number) m.get("scale")).doubleValue()).isLessThan(1.0);
                    assertThat(m.get("rendering")).isEqualTo("auto");
                } else {
                    assertThat(((Number) m.get("scale")).doubleValue()).as("a small image is scaled up").isGreaterThan(3.0);
                    assertThat(m.get("rendering")).as("crisp pixels").isEqualTo("pixelated");
                }
                if (size[0] != 1024) {
                    wait.until(d -> !body("data-unsent").matches("[1-9].*")); // the header says all is saved
                    String name = "review-" + where + "-" + (large ? "photo" : "64px");
                    Browsers.screenshot(browser, name);
                    java.nio.file.Files.copy(Path.of("target", "screenshots", name + ".png"), docs.resolve(name + ".png"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                if (large && size[0] == 1400) {
                    // Zoom: the image at its own pixels, the stage scrolls, and dragging pans it.
                    new Actions(browser).sendKeys("z").perform();
                    wait.until(d -> "100".equals(body("data-zoom")));
                    assertThat(((Number) js("return document.getElementById('current').getBoundingClientRect().width")).intValue()).isEqualTo(1200);
                    long left = ((Number) js("return document.getElementById('stage').scrollLeft")).longValue();
                    long top = ((Number) js("return document.getElementById('stage').scrollTop")).longValue();
                    assertThat(left).as("zoomed around the centre").isGreaterThan(0);
                    // Dragging to the right shows more of the left side (the image is 1200 px in a narrower stage).
                    new Actions(browser).moveToElement(browser.findElement(By.id("stage"))).clickAndHold()
                            .moveByOffset(80, 0).release().perform();
                    wait.until(d -> ((Number) js("return document.getElementById('stage').scrollLeft")).longValue() == left - 80);
                    assertThat(((Number) js("return document.getElementById('stage').scrollTop")).longValue()).isEqualTo(top);
                    assertThat(body("data-zoom")).as("a drag pans; it does not zoom out").isEqualTo("100");
                    new Actions(browser).sendKeys("z").perform();
                    wait.until(d -> "fit".equals(body("data-zoom")));
                }
                String before = body("data-current");
                new Actions(browser).sendKeys("s").perform(); // skip: the next image; undo brings it back for the next size
                wait.until(d -> !body("data-current").equals(before));
            }
            for (int i = 0; i < 2; i++) press("u", body("data-current")); // both images back for the next size
            wait.until(d -> "0".equals(body("data-unsent")));
        }
    }
}
