package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.blob.Sha256;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The runs page in real headless Chromium over 5,000 runs inserted through the store (not trained): it sorts by a
 * metric's best value and filters by params with the right first rows, pages, keeps its state in the address and
 * its columns across reloads, and a reviewer neither sees it in the menu nor gets its data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunsPageIT {
    static final int RUNS = 5000;
    Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    /** What each run was given, to work out the right rows here, apart from the server. */
    final List<Made> made = new ArrayList<>();

    record Made(int i, long id, double lr, String optimizer, double bestAccuracy, double lastAccuracy) {}

    @BeforeAll
    void start() throws java.io.IOException {
        // Not @TempDir: JUnit gives a per-class instance its field only after @BeforeAll here.
        dir = java.nio.file.Files.createTempDirectory("runs-page-it");
        t = new TestServer(dir, Map.of());
        Project fm = t.storage.projects().create("fm", List.of("a", "b"));
        Project other = t.storage.projects().create("other", List.of("a", "b"));
        String hash = Sha256.hex("dataset".getBytes(StandardCharsets.UTF_8));
        Instant at = t.clock.instant();
        for (int i = 0; i < RUNS; i++) {
            Map<String, String> params = new LinkedHashMap<>();
            double lr = 0.0001 * (1 + (i * 37) % 200);
            params.put("lr", Double.toString(lr));
            params.put("optimizer", i % 3 == 0 ? "sgd" : "adamw");
            params.put("epochs", "3");
            Run r = t.storage.runs().create(new NewRun(i % 10 == 9 ? other.id() : fm.id(), 1, hash, params,
                    Map.of("project", i % 10 == 9 ? "other" : "fm"), i % 50 == 0 ? List.of("baseline") : List.of(), null, at));
            // Unique peaks (7919 and 5000 share no factor), reached at epoch 2: the best is not the last value.
            double peak = ((i * 7919L) % RUNS) / (double) RUNS;
            t.storage.runs().addMetrics(r.id(), List.of(new MetricPoint("val_accuracy", 1, 1, peak * 0.5, at),
                    new MetricPoint("val_accuracy", 2, 2, peak, at), new MetricPoint("val_accuracy", 3, 3, peak * 0.9, at),
                    new MetricPoint("val_loss", 3, 3, 1 - peak, at)));
            made.add(new Made(i, r.id(), lr, params.get("optimizer"), peak, peak * 0.9));
        }
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    @AfterAll
    void stop() {
        if (browser != null) browser.quit();
        if (t != null) t.close();
        if (dir != null) {
            try (var files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                // a temporary folder left behind is not a failure
            }
        }
    }

    private void login(String user, String password) {
        browser.manage().deleteAllCookies();
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-button")).click();
        wait.until(d -> d.getCurrentUrl().equals(t.url("/")));
    }

    private void open(String path) {
        browser.get(t.url(path));
        loaded();
    }

    private void loaded() {
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
    }

    private List<Long> rows() {
        return browser.findElements(By.cssSelector("#rows tr[data-run]")).stream()
                .map(r -> Long.parseLong(r.getDomAttribute("data-run"))).toList();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private void clickHeader(String column) {
        browser.findElement(By.cssSelector("th[data-column='" + column + "'] button.sort")).click();
        loaded();
    }

    @Test
    void sortsByAMetricsBestValueFiltersByParamsAndPagesInTheDatabase() {
        login("boss", t.admin.password());
        open("/runs");
        assertThat(text("page-info")).isEqualTo("1–50 of 5,000");
        assertThat(rows()).hasSize(50).first().isEqualTo(made.get(RUNS - 1).id()); // newest first
        assertThat(browser.findElements(By.cssSelector("#menu a"))).extracting(WebElement::getText)
                .containsExactly("Projects", "Runs", "Models", "API");

        // Sort by val_accuracy: its best (maximum) first, which is epoch 2's value, not the last one.
        clickHeader("metrics.val_accuracy");
        assertThat(browser.getCurrentUrl()).contains("sort=metrics.val_accuracy").contains("order=desc");
        List<Made> byBest = made.stream().sorted(Comparator.comparingDouble(Made::bestAccuracy).reversed()).toList();
        assertThat(rows().subList(0, 5)).containsExactlyElementsOf(byBest.subList(0, 5).stream().map(Made::id).toList());
        WebElement top = browser.findElement(By.cssSelector("#rows tr[data-run] td[data-column='metrics.val_accuracy']"));
        assertThat(Double.parseDouble(top.getText())).isCloseTo(byBest.get(0).bestAccuracy(), org.assertj.core.api.Assertions.within(1e-3));
        Browsers.screenshot(browser, "runs-sorted");

        // Turned round: the lowest best first.
        clickHeader("metrics.val_accuracy");
        assertThat(rows().get(0)).isEqualTo(byBest.get(RUNS - 1).id());

        // The last value instead of the best: a different order from the same column.
        new org.openqa.selenium.support.ui.Select(browser.findElement(
                By.cssSelector("th[data-column='metrics.val_accuracy'] select.aggregate"))).selectByValue("last");
        loaded();
        assertThat(browser.getCurrentUrl()).contains("aggregate=last");

        // A filter on two params, of project fm, sorted by the best again; the first rows are the right ones.
        open("/runs?sort=metrics.val_accuracy&order=desc");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("f-project"))).selectByValue("fm");
        browser.findElement(By.id("f-filter")).sendKeys("params.optimizer = \"sgd\" and params.lr < 0.002");
        browser.findElement(By.id("apply")).click();
        loaded();
        List<Long> expected = made.stream()
                .filter(m -> m.optimizer().equals("sgd") && m.lr() < 0.002 && !isOther(m))
                .sorted(Comparator.comparingDouble(Made::bestAccuracy).reversed()).map(Made::id).toList();
        assertThat(expected.size()).isBetween(51, 4000);
        assertThat(text("page-info")).isEqualTo("1–50 of " + String.format(java.util.Locale.ROOT, "%,d", expected.size()));
        assertThat(rows()).containsExactlyElementsOf(expected.subList(0, 50));
        assertThat(text("title")).isEqualTo("Runs of fm");

        // The next page is the next 50 of the same order; a reload keeps the page, the filter and the sort.
        browser.findElement(By.id("next")).click();
        loaded();
        assertThat(rows()).containsExactlyElementsOf(expected.subList(50, Math.min(100, expected.size())));
        browser.navigate().refresh();
        loaded();
        assertThat(rows()).containsExactlyElementsOf(expected.subList(50, Math.min(100, expected.size())));
        assertThat(browser.findElement(By.id("f-filter")).getDomProperty("value")).isEqualTo("params.optimizer = \"sgd\" and params.lr < 0.002");
        browser.navigate().back();
        loaded();
        assertThat(rows()).containsExactlyElementsOf(expected.subList(0, 50));
    }

    private boolean isOther(Made m) {
        return m.i() % 10 == 9;
    }

    @Test
    void columnsAreRememberedAndSelectedRunsGoToCompare() {
        login("boss", t.admin.password());
        open("/runs?tag=baseline");
        assertThat(text("page-info")).isEqualTo("1–50 of 100");
        assertThat(browser.findElements(By.cssSelector("th[data-column='params.lr']"))).hasSize(1);
        browser.findElement(By.cssSelector("#columns summary")).click();
        browser.findElement(By.cssSelector("#column-list input[value='params.lr']")).click();
        browser.findElement(By.cssSelector("#column-list input[value='params.optimizer']")).click();
        assertThat(browser.findElements(By.cssSelector("th[data-column='params.lr']"))).isEmpty();
        browser.navigate().refresh();
        loaded();
        assertThat(browser.findElements(By.cssSelector("th[data-column='params.lr']"))).as("remembered").isEmpty();
        assertThat(browser.findElement(By.cssSelector("#rows tr[data-run] td[data-column='params.optimizer']")).getText())
                .isIn("sgd", "adamw");

        WebElement compare = browser.findElement(By.id("compare"));
        assertThat(compare.isEnabled()).isFalse();
        List<WebElement> boxes = browser.findElements(By.cssSelector("#rows tr[data-run] td.pick input"));
        boxes.get(0).click();
        boxes.get(1).click();
        assertThat(text("selected")).isEqualTo("2 selected");
        assertThat(compare.isEnabled()).isTrue();
        List<Long> two = rows().subList(0, 2);
        compare.click();
        wait.until(d -> d.getCurrentUrl().contains("/runs/compare"));
        assertThat(browser.getCurrentUrl()).endsWith("/runs/compare?ids=" + Math.min(two.get(0), two.get(1)) + ","
                + Math.max(two.get(0), two.get(1)));
        browser.executeScript("localStorage.clear()");
    }

    /** On a tablet, offline for a moment: the page keeps its rows and says why; a reload back online has the page. */
    @Test
    void onATabletOfflineKeepsTheRowsAndAReloadBackOnlineHasTheNextPage() throws Exception {
        login("boss", t.admin.password());
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(768, 1024));
        try {
            open("/runs?project=fm");
            Object overflow = browser.executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(((Number) overflow).intValue()).as("the table scrolls in its box, not the page").isLessThanOrEqualTo(0);
            List<Long> first = rows();
            var conditions = new org.openqa.selenium.chromium.ChromiumNetworkConditions();
            conditions.setOffline(true);
            browser.setNetworkConditions(conditions);
            browser.findElement(By.id("next")).click();
            loaded();
            assertThat(text("message")).contains("cannot be reached").contains("rows loaded last");
            assertThat(rows()).containsExactlyElementsOf(first);
            browser.deleteNetworkConditions();
            browser.navigate().refresh();
            loaded();
            assertThat(text("page-info")).startsWith("51–100 of ");
            assertThat(rows()).doesNotContainAnyElementsOf(first).hasSize(50);
        } finally {
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
        }
    }

    @Test
    void aBadFilterIsNamedAndTheFormKept() {
        login("boss", t.admin.password());
        open("/runs");
        browser.findElement(By.id("f-filter")).sendKeys("metrics.val_loss < low");
        browser.findElement(By.id("apply")).click();
        loaded();
        assertThat(text("message")).contains("metrics.val_loss is a number; 'low' is not one");
        assertThat(rows()).isEmpty();
        assertThat(browser.findElement(By.id("f-filter")).getDomProperty("value")).isEqualTo("metrics.val_loss < low");
    }

    @Test
    void aReviewerHasNoRunsInTheMenuAndIsRefusedThePagesData() {
        login("helper", t.reviewer.password());
        loaded();
        assertThat(browser.findElements(By.cssSelector("#menu a"))).extracting(WebElement::getText).containsExactly("Projects", "API");
        browser.get(t.url("/runs"));
        wait.until(d -> "403".equals(d.findElement(By.tagName("body")).getDomAttribute("data-failure")));
        assertThat(text("failure")).contains("may not open this page");
        assertThat(browser.findElements(By.cssSelector("#rows tr"))).isEmpty();
        String token = t.token("helper", dev.fovea.core.account.Scope.REVIEW);
        for (String route : List.of("/api/runs", "/api/runs/keys", "/api/runs?sort=metrics.val_accuracy")) {
            assertThat(t.send(t.request(route).header("Authorization", "Bearer " + token)).statusCode()).as(route).isEqualTo(403);
        }
    }
}
