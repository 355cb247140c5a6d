package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/**
 * Finding 2 of issue 15: class names ran as script on the review page. A project whose class names, criteria and
 * file names hold HTML and script is opened on every page, as admin and as reviewer, in real headless Chromium; no
 * element or script from that text may appear, and Fovea's own pages cause no Content-Security-Policy violation.
 */
class InjectedMarkupPageIT {
    static final List<String> CLASSES = List.of("<img src=x onerror=\"window.__pwned='class-img'\">",
            "<script>window.__pwned='class-script'</script>", "<b class=\"injected\">bold</b>");
    static final String CRITERIA = "# Rules\n\n<img src=x onerror=\"window.__pwned='criteria-img'\">\n\n"
            + "<script>window.__pwned='criteria-script'</script>\n\n<b class=\"injected\">b</b>\n\n"
            + "[a link](javascript:window.__pwned='criteria-link') and **real bold**\n";
    /** Runs before any page script (DevTools injects it, so the page's CSP does not apply): collects violations. */
    static final String WATCH = "window.__csp = [];"
            + "document.addEventListener('securitypolicyviolation', e => window.__csp.push("
            + "e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));";
    /** Anything that came from the injected text as markup rather than as text. */
    static final String FOUND = "return { pwned: window.__pwned || null, csp: window.__csp || ['watcher missing'],"
            + " elements: [...document.querySelectorAll('.injected, [onerror], [onload], img[src=\"x\"],"
            + " script:not([src]), a[href^=\"javascript:\"]')].map(e => e.outerHTML) };";

    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void start() throws Exception {
        t = new TestServer(dir, Map.of());
        String admin = t.token("boss", Scope.ADMIN);
        // Through the API, as an attacker with an admin's trust (or a zip's folder names) would put it there.
        String create = new ObjectMapper().writeValueAsString(Map.of("name", "tricky", "classes", CLASSES));
        assertThat(t.send(t.request("/api/projects").header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(create))).statusCode())
                .isEqualTo(201);
        String settings = new ObjectMapper().writeValueAsString(Map.of("criteria", CRITERIA, "reviews_per_image", 2));
        assertThat(t.send(t.request("/api/projects/tricky/review/settings").header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(settings))).statusCode())
                .isEqualTo(200);
        Project project = t.storage.projects().require("tricky");
        List<Path> pngs = samplePngs("flags", 4);
        for (int i = 0; i < pngs.size(); i++) {
            String name = "<img src=x onerror=\"window.__pwned='path'\">" + i + ".png";
            t.context.ingest().ingest(project, name, bytes(pngs.get(i)), CLASSES.get(i % CLASSES.size()));
        }
        t.context.reviews().addReviewer(project, "helper", 1000, "EUR");
        // Two reviewers who disagree, so that the admin's page lists the class names in its disagreements too.
        var second = t.context.accounts().addUser("second", dev.fovea.core.account.Role.REVIEWER).user();
        t.context.reviews().addReviewer(project, "second", 1000, "EUR");
        var helper = t.context.accounts().requireUser("helper");
        String disputed = t.context.reviews().next(project, helper, 1).get(0).sha256();
        t.context.reviews().submit(project, helper, disputed, dev.fovea.core.review.Decision.SUITABLE, CLASSES.get(0), 1000,
                java.util.UUID.randomUUID());
        assertThat(t.context.reviews().next(project, second, 4)).extracting(q -> q.sha256()).contains(disputed);
        t.context.reviews().submit(project, second, disputed, dev.fovea.core.review.Decision.SUITABLE, CLASSES.get(1), 1000,
                java.util.UUID.randomUUID());
        browser = Browsers.chromium(dir.resolve("profile"));
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", WATCH));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private void logIn(String user, String password) {
        browser.get(t.url("/login"));
        assertNothingInjected("/login as nobody");
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
    }

    /** Opens a page and waits for its marker (a data- attribute on body), or a moment where it has none for this user. */
    private void open(String path, String marker) throws InterruptedException {
        browser.get(t.url(path));
        wait.until(d -> "complete".equals(browser.executeScript("return document.readyState")));
        if (marker == null) Thread.sleep(1500); // the page's API calls are refused; let them finish
        else wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute(marker) != null);
    }

    @SuppressWarnings("unchecked")
    private void assertNothingInjected(String page) {
        Map<String, Object> found = (Map<String, Object>) browser.executeScript(FOUND);
        assertThat(found.get("pwned")).as(page + ": a script from the injected text ran").isNull();
        assertThat((List<Object>) found.get("elements")).as(page + ": elements made from the injected text").isEmpty();
        assertThat((List<Object>) found.get("csp")).as(page + ": CSP violations by Fovea's own page").isEmpty();
    }

    private void assertReviewPageShowsTheTextAsText() {
        List<WebElement> buttons = browser.findElements(By.cssSelector("#decisions button"));
        assertThat(buttons).extracting(b -> b.getDomAttribute("data-class")).containsExactlyElementsOf(CLASSES);
        for (int i = 0; i < CLASSES.size(); i++) {
            assertThat(buttons.get(i).getText()).isEqualTo(CLASSES.get(i) + " " + (i + 1));
        }
        WebElement criteria = browser.findElement(By.id("criteria"));
        assertThat(criteria.findElement(By.tagName("h1")).getText()).isEqualTo("Rules"); // the Markdown is rendered
        assertThat(criteria.findElement(By.tagName("strong")).getText()).isEqualTo("real bold");
        assertThat(criteria.getText()).contains("<script>window.__pwned='criteria-script'</script>")
                .contains("<b class=\"injected\">b</b>");
    }

    @Test
    void finding2HtmlInClassNamesCriteriaAndFileNamesStaysTextOnEveryPageForAdminAndReviewer() throws Exception {
        logIn("boss", t.admin.password());
        open("/", "data-loaded");
        assertNothingInjected("/ as admin");
        assertThat(browser.findElement(By.cssSelector("li.project[data-project='tricky'] .classes")).getText())
                .isEqualTo(String.join(", ", CLASSES));
        open("/projects/tricky", "data-loaded");
        assertNothingInjected("/projects/tricky as admin");
        open("/projects/tricky/reviewers", "data-loaded");
        assertNothingInjected("/projects/tricky/reviewers as admin");
        assertThat(browser.findElements(By.cssSelector("#keys label"))).extracting(WebElement::getText)
                .containsExactly("Key for " + CLASSES.get(0), "Key for " + CLASSES.get(1), "Key for " + CLASSES.get(2));
        WebElement dispute = browser.findElement(By.cssSelector("#disagreements li"));
        assertThat(dispute.findElement(By.tagName("p")).getText()).contains("helper: " + CLASSES.get(0))
                .contains("second: " + CLASSES.get(1));
        assertThat(dispute.findElements(By.tagName("button"))).extracting(WebElement::getText)
                .containsExactly(CLASSES.get(0), CLASSES.get(1), CLASSES.get(2), "unsuitable");
        open("/projects/tricky/review", "data-ready");
        assertNothingInjected("/projects/tricky/review as admin");
        assertReviewPageShowsTheTextAsText();
        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/login")));

        logIn("helper", t.reviewer.password());
        open("/", "data-loaded");
        assertNothingInjected("/ as reviewer");
        open("/projects/tricky/review", "data-ready");
        assertNothingInjected("/projects/tricky/review as reviewer");
        assertReviewPageShowsTheTextAsText();
        Browsers.screenshot(browser, "injected-markup-review");
        for (String adminPage : List.of("/projects/tricky", "/projects/tricky/reviewers")) {
            open(adminPage, null);
            assertNothingInjected(adminPage + " as reviewer");
        }

        // A case the pages might miss still cannot run: the policy refuses inline script, and says so.
        open("/projects/tricky/review", "data-ready");
        Object ran = browser.executeScript("const s = document.createElement('script');"
                + "s.textContent = 'window.__inline = 1'; document.body.append(s); return window.__inline || null;");
        assertThat(ran).isNull();
        wait.until(d -> !((List<?>) browser.executeScript("return window.__csp")).isEmpty());
        assertThat(browser.executeScript("return window.__csp[0]").toString()).startsWith("script-src");
    }

    @Test
    void finding2EveryPageCarriesAPolicyWithoutInlineScript() {
        for (String page : List.of("/", "/login", "/projects/tricky", "/projects/tricky/review", "/projects/tricky/reviewers")) {
            HttpResponse<String> r = t.send(t.request(page).GET());
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertThat(csp).as(page).contains("script-src 'self'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            // The pages themselves have no inline script or handler attributes for the policy to block.
            assertThat(r.body()).as(page).doesNotContainPattern("<script(?![^>]*\\bsrc=)")
                    .doesNotContainPattern("\\son[a-z]+=").doesNotContainPattern("\\sstyle=");
        }
    }
}
