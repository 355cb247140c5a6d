package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import dev.fovea.core.review.ReviewSettings;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review app end to end in real headless Chromium: an admin creates a project with criteria and two
 * reviewers; reviewer one reviews 30 images with the keyboard, with two undos; reviewer two reviews the images
 * that need a second opinion; the admin page then shows both reviewers' counts, active times, pay, and a Cohen's
 * kappa equal to the one this test computes on its own from the database.
 */
class ReviewFlowIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    final Map<String, String> truth = new HashMap<>(); // image id -> its real class

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private void logIn(String user, String password) {
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
    }

    private void logOut() {
        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/login")));
    }

    /** Waits until the page says it has stored {@code count} decisions; a failure shows the page's error line. */
    private void waitSent(int count) {
        try {
            wait.until(d -> String.valueOf(count).equals(body("data-sent")));
        } catch (org.openqa.selenium.TimeoutException e) {
            StringBuilder db = new StringBuilder();
            for (var r : t.storage.reviews().reviews(t.storage.projects().require("zoo").id())) {
                db.append(r.sha256(), 0, 6).append(r.undone() ? "(undone) " : " ");
            }
            throw new AssertionError("the page stored " + body("data-sent") + " of " + count + " decisions; its error line: '"
                    + browser.findElement(By.id("error")).getText() + "'; the database: " + db, e);
        }
    }

    private String body(String attribute) {
        String v = browser.findElement(By.tagName("body")).getDomAttribute(attribute);
        return v == null ? "" : v;
    }

    /** Presses one key on the review page and waits until a different image is on screen. */
    private String press(String key, String before) {
        t.clock.advance(Duration.ofSeconds(7)); // the server's clock: 7 s between decisions
        new Actions(browser).sendKeys(key).perform();
        wait.until(d -> !body("data-current").equals(before));
        return body("data-current");
    }

    @Test
    void twoReviewersTheirHoursPayAndKappa() throws Exception {
        // The admin creates the project in the UI, then images arrive through the upload API.
        logIn("boss", t.admin.password());
        browser.findElement(By.id("new-name")).sendKeys("zoo");
        browser.findElement(By.id("new-classes")).sendKeys("animal, food");
        browser.findElement(By.id("create-project")).click();
        wait.until(d -> !d.findElements(By.cssSelector("li.project[data-project='zoo']")).isEmpty());
        String token = t.token("boss", Scope.ADMIN);
        for (String[] cls : new String[][] {{"animals-nature", "animal"}, {"food-drink", "food"}}) {
            for (Path png : samplePngs(cls[0], 25)) {
                var r = t.send(t.request("/api/projects/zoo/images").header("Authorization", "Bearer " + token)
                        .header("X-Filename", png.getFileName().toString()).POST(HttpRequest.BodyPublishers.ofByteArray(bytes(png))));
                assertThat(r.statusCode()).isEqualTo(201);
                truth.put(ServerSecurityIT.json(r).get("id").asText(), cls[1]);
            }
        }

        browser.get(t.url("/projects/zoo/reviewers"));
        wait.until(d -> "true".equals(body("data-loaded")));
        browser.findElement(By.id("criteria")).sendKeys("## What counts\nA **real** animal or dish, not a symbol.");
        var fraction = browser.findElement(By.id("double-fraction"));
        fraction.clear();
        fraction.sendKeys("0.5");
        browser.findElement(By.id("save-settings")).click();
        wait.until(d -> d.findElement(By.id("settings-message")).getText().equals("Saved."));
        Map<String, String> passwords = new HashMap<>();
        for (String[] reviewer : new String[][] {{"ana", "12.50"}, {"ben", "10"}}) {
            browser.findElement(By.id("reviewer-name")).clear();
            browser.findElement(By.id("reviewer-name")).sendKeys(reviewer[0]);
            browser.findElement(By.id("reviewer-rate")).clear();
            browser.findElement(By.id("reviewer-rate")).sendKeys(reviewer[1]);
            browser.findElement(By.id("add-reviewer-button")).click();
            wait.until(d -> d.findElement(By.id("reviewer-message")).getText().contains("'" + reviewer[0] + "'"));
            passwords.put(reviewer[0], browser.findElement(By.id("reviewer-message")).getDomAttribute("data-password"));
        }
        logOut();
        Project zoo = t.storage.projects().require("zoo");
        ReviewSettings settings = t.context.reviews().settings(zoo);
        assertThat(settings.criteria()).contains("A **real** animal");

        // Reviewer one: 30 decisions by keyboard (1 = animal, 2 = food), with two undos; every 4th answer wrong.
        logIn("ana", passwords.get("ana"));
        browser.get(t.url("/projects/zoo/review"));
        wait.until(d -> "true".equals(body("data-ready")));
        assertThat(browser.findElement(By.id("criteria")).getText()).contains("What counts");
        Browsers.screenshot(browser, "review");
        Set<String> anaImages = new HashSet<>();
        String current = body("data-current");
        int decisions = 0;
        while (anaImages.size() < 30) {
            String image = current;
            boolean wrong = decisions % 4 == 3;
            String key = truth.get(image).equals("animal") ^ wrong ? "1" : "2";
            current = press(key, image);
            decisions++;
            if (decisions == 10 || decisions == 20) {
                current = press("u", current); // undo: the same image comes back
                assertThat(current).isEqualTo(image);
                continue;
            }
            anaImages.add(image);
        }
        waitSent(30);
        logOut();

        // Reviewer two gets the images that need a second review first: exactly those of reviewer one's.
        Set<String> overlap = new HashSet<>();
        for (String id : anaImages) if (settings.reviewsNeeded(id) == 2) overlap.add(id);
        assertThat(overlap).isNotEmpty();
        logIn("ben", passwords.get("ben"));
        browser.get(t.url("/projects/zoo/review"));
        wait.until(d -> "true".equals(body("data-ready")));
        current = body("data-current");
        for (int i = 0; i < overlap.size(); i++) {
            assertThat(overlap).as("reviewer two's image %d", i).contains(current);
            current = press(truth.get(current).equals("animal") ? "1" : "2", current);
        }
        waitSent(overlap.size());
        logOut();

        // The admin's page against figures computed here from the database.
        logIn("boss", t.admin.password());
        browser.get(t.url("/projects/zoo/reviewers"));
        wait.until(d -> "true".equals(body("data-loaded")));
        Browsers.screenshot(browser, "reviewers");
        Map<String, List<long[]>> events = new HashMap<>(); // user -> [created epoch ms, duration ms, undone]
        Map<String, Map<String, String>> answers = new HashMap<>(); // user -> image -> category
        try (Connection c = t.storage.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT u.name, r.sha256, r.decision, r.class_name, r.duration_ms,"
                        + " r.created_at, r.undone_at FROM review r JOIN app_user u ON u.id = r.user_id ORDER BY r.seq")) {
            while (rs.next()) {
                String user = rs.getString(1);
                boolean undone = rs.getObject(7) != null;
                events.computeIfAbsent(user, k -> new ArrayList<>()).add(new long[] {
                        rs.getObject(6, java.time.OffsetDateTime.class).toInstant().toEpochMilli(), rs.getLong(5), undone ? 1 : 0});
                if (!undone) {
                    answers.computeIfAbsent(user, k -> new HashMap<>()).put(rs.getString(2),
                            rs.getString(3).equals("suitable") ? rs.getString(4) : rs.getString(3));
                }
            }
        }
        assertThat(answers.get("ana")).hasSize(30);
        assertThat(answers.get("ben")).hasSize(overlap.size());
        for (String[] reviewer : new String[][] {{"ana", "1250"}, {"ben", "1000"}}) {
            var row = browser.findElement(By.cssSelector("#stats tr[data-user='" + reviewer[0] + "']"));
            assertThat(row.findElement(By.cssSelector("[data-key='reviews']")).getText())
                    .isEqualTo(String.valueOf(answers.get(reviewer[0]).size()));
            double activeSeconds = activeSeconds(events.get(reviewer[0]), 120_000) / 1000.0;
            assertThat(Double.parseDouble(row.findElement(By.cssSelector("[data-key='active']")).getDomAttribute("data-seconds")))
                    .isCloseTo(activeSeconds, org.assertj.core.data.Offset.offset(0.001));
            double pay = Math.round(activeSeconds / 3600 * Long.parseLong(reviewer[1])) / 100.0;
            assertThat(row.findElement(By.cssSelector("[data-key='pay']")).getText()).isEqualTo(String.format("%.2f EUR", pay));
            assertThat(activeSeconds).isGreaterThan(7.0 * (answers.get(reviewer[0]).size() - 1));
        }
        String kappa = browser.findElement(By.cssSelector("#kappas tr [data-key='kappa']")).getText();
        assertThat(kappa).isEqualTo(String.format("%.4f", cohensKappa(answers.get("ana"), answers.get("ben"))));
    }

    /** The active-time rule, written again here: gaps up to the idle threshold count; a stretch starts with its own duration. */
    private static long activeSeconds(List<long[]> events, long idleMs) {
        events.sort((a, b) -> Long.compare(a[0], b[0]));
        long active = 0;
        for (int i = 0; i < events.size(); i++) {
            long gap = i == 0 ? Long.MAX_VALUE : events.get(i)[0] - events.get(i - 1)[0];
            active += gap <= idleMs ? gap : Math.min(events.get(i)[1], idleMs);
        }
        return active;
    }

    /** Cohen's kappa, written again here from its definition, over the images both reviewed. */
    private static double cohensKappa(Map<String, String> a, Map<String, String> b) {
        List<String> shared = a.keySet().stream().filter(b::containsKey).toList();
        Set<String> categories = new HashSet<>();
        shared.forEach(k -> { categories.add(a.get(k)); categories.add(b.get(k)); });
        double agree = shared.stream().filter(k -> a.get(k).equals(b.get(k))).count() / (double) shared.size();
        double expected = 0;
        for (String cat : categories) {
            double pa = shared.stream().filter(k -> a.get(k).equals(cat)).count() / (double) shared.size();
            double pb = shared.stream().filter(k -> b.get(k).equals(cat)).count() / (double) shared.size();
            expected += pa * pb;
        }
        return (agree - expected) / (1 - expected);
    }
}
