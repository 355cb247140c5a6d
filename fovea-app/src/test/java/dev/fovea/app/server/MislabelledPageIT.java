package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.project.Project;
import dev.fovea.core.testing.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The checks page in real headless Chromium: an admin starts the likely-mislabelled check (real training, one
 * model per fold), sees the flagged images with the class they more likely show, and relabels one with one click.
 */
class MislabelledPageIT {
    private static final List<String> CLASSES = List.of("trouser", "bag", "sneaker");
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    Project project;
    final Map<String, String> truth = new HashMap<>();

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        project = t.storage.projects().create("fashion", CLASSES);
        List<FashionMnist.Item> items = FashionMnist.balanced(true, 30, Set.of(1, 8, 7));
        for (int i = 0; i < items.size(); i++) {
            FashionMnist.Item item = items.get(i);
            String label = item.className();
            // Every tenth image is filed under the next class: 9 planted label errors among 90.
            if (i % 10 == 0) label = CLASSES.get((CLASSES.indexOf(label) + 1) % CLASSES.size());
            t.context.ingest().ingest(project, label + "/" + item.fileName(), png(item), label);
            truth.put(label + "/" + item.fileName(), item.className());
        }
        t.context.checks().run(project);
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(240));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private static byte[] png(FashionMnist.Item item) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(FashionMnist.image(item), "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void findLikelyMislabelledThenRelabelOneWithOneClick() {
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys("boss");
        browser.findElement(By.id("password")).sendKeys(t.admin.password());
        browser.findElement(By.id("login-button")).click();
        wait.until(d -> d.getCurrentUrl().equals(t.url("/")));
        browser.get(t.url("/projects/fashion"));
        wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
        assertThat(browser.findElement(By.cssSelector("[data-count='likely_mislabelled']")).getText()).isEqualTo("0");

        browser.findElement(By.id("find-mislabelled")).click();
        wait.until(d -> "done".equals(d.findElement(By.id("mislabelled-status")).getDomAttribute("data-state")));
        String status = browser.findElement(By.id("mislabelled-status")).getText();
        assertThat(status).contains("likely mislabelled of 90 labelled images");

        browser.findElement(By.cssSelector(".filters button[data-flag='likely_mislabelled']")).click();
        wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded").startsWith("pending:likely_mislabelled:"));
        List<WebElement> cards = browser.findElements(By.cssSelector(".card"));
        assertThat(cards).as(status).isNotEmpty();
        int before = cards.size();
        assertThat(browser.findElement(By.cssSelector("[data-count='likely_mislabelled']")).getText())
                .isEqualTo(Integer.toString(before));
        WebElement first = cards.get(0);
        String path = first.findElement(By.cssSelector(".path")).getText();
        WebElement relabel = first.findElement(By.cssSelector(".relabel"));
        String suggested = relabel.getDomAttribute("data-class");
        assertThat(suggested).isIn(CLASSES).isNotEqualTo(path.split("/")[0]);
        assertThat(relabel.getText()).isEqualTo("Relabel as " + suggested);
        assertThat(first.findElement(By.cssSelector(".flag-likely_mislabelled")).getText())
                .contains("Labelled '" + path.split("/")[0] + "', but looks more like '" + suggested + "'");
        // The likeliest error first: the planted ones are what the check should rank on top.
        assertThat(truth.get(path)).as(path).isEqualTo(suggested);
        Browsers.screenshot(browser, "checks-likely-mislabelled");

        relabel.click();
        wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded")
                .equals("pending:likely_mislabelled:" + (before - 1)));
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo(path + " relabelled as " + suggested + ".");
        String sha = t.storage.images().sourcePaths(project.id()).entrySet().stream()
                .filter(e -> e.getValue().get(0).equals(path)).map(Map.Entry::getKey).findFirst().orElseThrow();
        // The admin's settlement is the label a dataset freeze now takes.
        assertThat(t.context.datasets().labelled(project).get(sha)).isEqualTo(suggested);
        assertThat(browser.findElement(By.cssSelector("[data-count='likely_mislabelled']")).getText())
                .isEqualTo(Integer.toString(before - 1));
    }
}
