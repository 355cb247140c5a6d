package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.account.Scope;
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
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Finding 11 of issue 16: error text names things in words (no Java map), the browser checks the project name
 * field (its pattern is a valid regular expression), and every page has an icon (no 404 for it).
 */
class PageBasicsIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        t.storage.projects().create("pets", List.of("cat", "dog", "bird"));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    @Test
    void finding11TwoClassesOnOneKeyAreNamedInWords() {
        HttpResponse<String> r = t.send(t.request("/api/projects/pets/review/settings")
                .header("Authorization", "Bearer " + t.token("boss", Scope.ADMIN)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"class_keys\":{\"cat\":\"3\",\"dog\":\"1\",\"bird\":\"3\"}}")));
        assertThat(r.statusCode()).isEqualTo(400);
        String message = ServerSecurityIT.json(r).get("error").get("message").asText();
        assertThat(message).isEqualTo("classes 'bird' and 'cat' share the key '3'; give each class a key of its own");
        assertThat(message).doesNotContain("{").doesNotContain("=");
    }

    @Test
    void finding11TheBrowserChecksTheProjectNameAndEveryPageHasAnIcon() {
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys("boss");
        browser.findElement(By.id("password")).sendKeys(t.admin.password());
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
        var name = browser.findElement(By.id("new-name"));
        name.sendKeys("Bad Name!");
        // With an invalid pattern the browser ignores it and calls anything valid.
        assertThat(browser.executeScript("return document.getElementById('new-name').validity.patternMismatch")).isEqualTo(true);
        name.clear();
        name.sendKeys("good-name-2");
        assertThat(browser.executeScript("return document.getElementById('new-name').checkValidity()")).isEqualTo(true);

        for (String page : List.of("/", "/login", "/projects/pets", "/projects/pets/reviewers", "/projects/pets/review")) {
            browser.get(t.url(page));
            Object status = browser.executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "const link = document.querySelector('link[rel=icon]');"
                            + "fetch(link ? link.href : '/favicon.ico').then(r => done(r.status + ' ' + r.headers.get('content-type')));");
            assertThat(status).as("the icon of %s", page).isEqualTo("200 image/svg+xml");
        }
        assertThat(t.send(t.request("/favicon.ico")).statusCode()).isEqualTo(200);
    }
}
