package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.checks.Curation;
import dev.fovea.core.project.Project;
import dev.fovea.core.testing.Damage;
import java.awt.image.BufferedImage;
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

/** The project page in real headless Chromium: filter by blurry, reject two in bulk, see the counts change. */
class CurationPageIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    Project project;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        project = t.storage.projects().create("gallery", List.of("a"));
        List<Path> pngs = samplePngs("animals-nature", 24);
        for (Path png : pngs) {
            t.context.ingest().ingest(project, png.getFileName().toString(), encode(opaque(read(png)), "png"), "a");
        }
        for (int i = 0; i < 3; i++) { // three blurred photos of other animals
            BufferedImage blurred = Damage.blur(opaque(read(samplePngs("animals-nature", 40).get(30 + i))), 2.0);
            t.context.ingest().ingest(project, "blurred-" + i + ".png", encode(blurred, "png"), "a");
        }
        t.context.checks().run(project);
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private String count(String flag) {
        return browser.findElement(By.cssSelector("[data-count='" + flag + "']")).getText();
    }

    @Test
    void filterByBlurryRejectTwoAndSeeTheCountsChange() {
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys("boss");
        browser.findElement(By.id("password")).sendKeys(t.admin.password());
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
        browser.get(t.url("/projects/gallery"));
        wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
        assertThat(count("blurry")).isEqualTo("3");
        assertThat(browser.findElement(By.id("count-rejected")).getText()).isEqualTo("0");
        assertThat(browser.findElement(By.id("summary")).getText()).startsWith("27 images, checked");

        browser.findElement(By.cssSelector(".filters button[data-flag='blurry']")).click();
        wait.until(d -> "pending:blurry:3".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        List<WebElement> cards = browser.findElements(By.cssSelector(".card"));
        assertThat(cards).hasSize(3);
        assertThat(cards.get(0).findElement(By.cssSelector(".flag-blurry")).getText()).contains("Looks blurred");
        Browsers.screenshot(browser, "flags-blurry");

        cards.get(0).findElement(By.cssSelector(".pick")).click();
        cards.get(1).findElement(By.cssSelector(".pick")).click();
        browser.findElement(By.id("reject")).click();
        wait.until(d -> "pending:blurry:1".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(count("blurry")).isEqualTo("1");
        assertThat(browser.findElement(By.id("count-rejected")).getText()).isEqualTo("2");
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("2 images rejected.");
        assertThat(t.storage.curation().curations(project.id()).values()).containsOnly(Curation.REJECTED).hasSize(2);
        // Rejected images stay stored and can be restored.
        assertThat(t.storage.images().count(project.id())).isEqualTo(27);
        browser.findElement(By.cssSelector(".states button[data-state='rejected']")).click();
        wait.until(d -> "rejected:blurry:2".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        browser.findElements(By.cssSelector(".card .pick")).get(0).click();
        browser.findElement(By.id("restore")).click();
        wait.until(d -> "rejected:blurry:1".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(count("blurry")).isEqualTo("2");
        assertThat(browser.findElement(By.id("count-rejected")).getText()).isEqualTo("1");
    }
}
