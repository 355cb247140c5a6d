package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.project.Project;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The login page, the CSRF flow and the projects page, in real headless Chromium against a real server. */
class LoginPageIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        Project project = t.storage.projects().create("street-signs", List.of("stop", "yield"));
        for (Path png : samplePngs("travel-places", 6)) {
            t.context.ingest().ingest(project, png.getFileName().toString(), bytes(png), "stop");
        }
        t.storage.projects().create("empty-one", List.of("a"));
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private void logIn(String user, String password) {
        browser.findElement(By.id("user")).clear();
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).clear();
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-button")).click();
    }

    @Test
    void logInSeeProjectsWithThumbnailsAndLogOut() {
        browser.get(t.url("/"));
        wait.until(ExpectedConditions.urlToBe(t.url("/login"))); // the page's API call got 401

        logIn("boss", "not-the-password");
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
        assertThat(error.getText()).contains("wrong user name or password");

        logIn("boss", t.admin.password());
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("boss (admin)");
        WebElement card = browser.findElement(By.cssSelector("li.project[data-project='street-signs']"));
        assertThat(card.findElement(By.cssSelector(".count")).getText()).startsWith("6 images");
        List<WebElement> thumbs = card.findElements(By.cssSelector(".thumbs img"));
        assertThat(thumbs).hasSize(6);
        wait.until(d -> thumbs.stream().allMatch(img -> ((Number) browser.executeScript(
                "return arguments[0].complete ? arguments[0].naturalWidth : 0", img)).intValue() > 0));
        assertThat(browser.findElement(By.cssSelector("li.project[data-project='empty-one'] .count")).getText())
                .startsWith("0 images");
        Browsers.screenshot(browser, "projects");

        // The session cookie is HttpOnly: page scripts cannot read it.
        assertThat((String) browser.executeScript("return document.cookie")).doesNotContain("fovea_session");
        // A state-changing call from this session without the CSRF header is refused; with it, it works.
        Object without = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/api/users', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + " body: JSON.stringify({name: 'sneaky'})}).then(r => done(r.status));");
        assertThat(((Number) without).intValue()).isEqualTo(403);
        Object with = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/api/session').then(r => r.json()).then(s => fetch('/api/users', {method: 'POST',"
                + " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token},"
                + " body: JSON.stringify({name: 'invited'})})).then(r => done(r.status));");
        assertThat(((Number) with).intValue()).isEqualTo(201);
        assertThat(t.context.accounts().users()).extracting(u -> u.name()).contains("invited").doesNotContain("sneaky");

        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/login")));
        browser.get(t.url("/"));
        wait.until(ExpectedConditions.urlToBe(t.url("/login")));
    }

    @Test
    void aReviewerSeesOnlyTheProjectsTheyReviewAndOnlyTheirReviewPage() {
        t.context.reviews().addReviewer(t.storage.projects().require("street-signs"), "helper", 1000, "EUR");
        browser.get(t.url("/login"));
        logIn("helper", t.reviewer.password());
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("helper (reviewer)");
        assertThat(browser.findElements(By.cssSelector("li.project"))).extracting(e -> e.getDomAttribute("data-project"))
                .containsExactly("street-signs");
        assertThat(browser.findElements(By.cssSelector("li.project .links a"))).extracting(WebElement::getText)
                .containsExactly("Review");
    }

    /** Issue 16 finding 4: the link an admin sends lands there after the login; only a path on this server is followed. */
    @Test
    void finding4LoginReturnsToThePageThatSentThereAndNowhereElse() {
        t.context.reviews().addReviewer(t.storage.projects().require("street-signs"), "helper", 1000, "EUR");
        browser.get(t.url("/projects/street-signs/review"));
        wait.until(ExpectedConditions.urlToBe(t.url("/login?next=%2Fprojects%2Fstreet-signs%2Freview")));
        logIn("helper", t.reviewer.password());
        wait.until(ExpectedConditions.urlToBe(t.url("/projects/street-signs/review")));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));

        for (String next : List.of("//evil.example/x", "https://evil.example/x", "/\\evil.example/x", "javascript:alert(1)")) {
            browser.manage().deleteAllCookies();
            browser.get(t.url("/login?next=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8)));
            logIn("helper", t.reviewer.password());
            wait.until(ExpectedConditions.urlToBe(t.url("/")));
        }
    }

    /** Issue 16 finding 7: a reviewer sees no admin controls, and pages they may not open say so with a way back. */
    @Test
    void finding7AReviewerSeesNoAdminControlsAndRefusedPagesSayWhy() {
        t.context.reviews().addReviewer(t.storage.projects().require("street-signs"), "helper", 1000, "EUR");
        browser.get(t.url("/login"));
        logIn("helper", t.reviewer.password());
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(browser.findElement(By.id("new-project")).isDisplayed()).as("the New project form").isFalse();
        assertThat(browser.findElement(By.id("create-project")).isDisplayed()).isFalse();

        for (String page : List.of("/projects/street-signs", "/projects/street-signs/reviewers")) {
            browser.get(t.url(page));
            wait.until(d -> "403".equals(d.findElement(By.tagName("body")).getDomAttribute("data-failure")));
            assertThat(browser.findElement(By.id("failure")).getText()).startsWith("Your account may not open this page: ")
                    .contains("helper");
            assertThat(browser.findElement(By.id("back")).getDomAttribute("href")).isEqualTo("/");
        }
        // A reviewer is refused a project that does not exist the same way as one of others (names stay private) ...
        browser.get(t.url("/projects/no-such-project/review"));
        wait.until(d -> "403".equals(d.findElement(By.tagName("body")).getDomAttribute("data-failure")));
        assertThat(browser.findElement(By.id("failure")).getText()).isEqualTo(
                "Your account may not open this page: you are not a reviewer of project 'no-such-project'; ask its admin to add you.");
        // ... and an admin is told it does not exist.
        browser.manage().deleteAllCookies();
        browser.get(t.url("/login?next=%2Fprojects%2Fno-such-project%2Freview"));
        logIn("boss", t.admin.password());
        wait.until(ExpectedConditions.urlToBe(t.url("/projects/no-such-project/review")));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> "404".equals(d.findElement(By.tagName("body")).getDomAttribute("data-failure")));
        assertThat(browser.findElement(By.id("failure")).getText()).isEqualTo("There is nothing here: there is no project 'no-such-project'.");
        assertThat(browser.getTitle()).isEqualTo("Fovea · Not found");
        browser.findElement(By.id("back")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
    }
}
