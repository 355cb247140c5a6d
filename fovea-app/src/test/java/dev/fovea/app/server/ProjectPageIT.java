package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import dev.fovea.core.testing.Damage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
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
 * The project page in real headless Chromium: uploading files and a zip with a progress bar and per-file results,
 * and the review progress (finding 8 of issue 16); a near duplicate beside its partner, a large view with label and
 * flags, and the thresholds form's messages beside it (finding 10).
 */
class ProjectPageIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    Project project;
    List<Path> pngs;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        project = t.storage.projects().create("gallery", List.of("a", "b"));
        pngs = samplePngs("animals-nature", 30);
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // cards are redrawn after each change
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private void ingest(String name, byte[] bytes) {
        t.context.ingest().ingest(project, name, bytes, "a");
    }

    private void openPage() {
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys("boss");
        browser.findElement(By.id("password")).sendKeys(t.admin.password());
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
        browser.get(t.url("/projects/gallery"));
        wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
        wait.until(d -> d.findElement(By.id("progress")).isDisplayed());
    }

    @Test
    void finding8UploadFilesAndAZipWithAProgressBarAndPerFileResults() throws Exception {
        for (int i = 0; i < 3; i++) ingest("a/" + pngs.get(i).getFileName(), encode(opaque(read(pngs.get(i))), "png"));
        openPage();
        assertThat(browser.findElement(By.id("progress")).getText()).isEqualTo("Review progress: 3 images: 3 not reviewed");

        Path one = Files.write(dir.resolve("one.png"), encode(opaque(read(pngs.get(10))), "png"));
        Path two = Files.write(dir.resolve("two.png"), encode(opaque(read(pngs.get(11))), "png"));
        Path broken = Files.write(dir.resolve("broken.png"), truncate(encode(opaque(read(pngs.get(12))), "png"), 0.3));
        Path zip = dir.resolve("more.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 13; i < 15; i++) {
                out.putNextEntry(new ZipEntry("more/b/" + pngs.get(i).getFileName())); // one top folder, then the labels
                out.write(encode(opaque(read(pngs.get(i))), "png"));
                out.closeEntry();
            }
        }
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("upload-label"))).selectByValue("a");
        browser.findElement(By.id("upload-files")).sendKeys(String.join("\n", one.toString(), two.toString(),
                broken.toString(), zip.toString()));
        wait.until(d -> "4".equals(d.findElement(By.tagName("body")).getDomAttribute("data-uploaded")));

        WebElement bar = browser.findElement(By.id("upload-progress"));
        assertThat(bar.getDomProperty("value")).isEqualTo("4");
        assertThat(bar.getDomProperty("max")).isEqualTo("4");
        List<String> results = browser.findElements(By.cssSelector("#upload-results li")).stream().map(WebElement::getText).toList();
        assertThat(results).hasSize(5).contains("one.png: created", "two.png: created",
                "more.zip: more/b/" + pngs.get(13).getFileName() + ": created");
        assertThat(results).filteredOn(r -> r.startsWith("broken.png: rejected")).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#upload-results li.rejected"))).hasSize(1);
        assertThat(browser.findElement(By.id("upload-message")).getText()).isEqualTo("Done: 4 new, 0 already here, 1 rejected.");
        assertThat(t.storage.images().count(project.id())).isEqualTo(7);
        assertThat(t.storage.images().page(project.id(), 0, 10)).extracting(StoredImage::label)
                .containsExactly("a", "a", "a", "a", "a", "b", "b");
        wait.until(d -> d.findElement(By.id("progress")).getText().equals("Review progress: 7 images: 7 not reviewed"));
        Browsers.screenshot(browser, "project-upload");
    }

    @Test
    void finding10NearDuplicateBesideItsPartnerLargeViewAndMessagesByTheForm() {
        for (int i = 0; i < 24; i++) ingest("a/" + pngs.get(i).getFileName(), encode(Damage.rgb(read(pngs.get(i))), "png"));
        ingest("a/zz-smaller.jpg", encode(Damage.resize(read(pngs.get(5)), 48, 48), "jpeg"));
        t.context.checks().run(project);
        String original = t.storage.images().page(project.id(), 5, 1).get(0).sha256();
        openPage();
        browser.findElement(By.cssSelector(".filters button[data-flag='near_duplicate']")).click();
        wait.until(d -> String.valueOf(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")).startsWith("pending:near_duplicate:"));
        WebElement card = browser.findElements(By.cssSelector(".card")).stream()
                .filter(c -> c.findElement(By.cssSelector(".path")).getText().equals("a/zz-smaller.jpg")).findFirst().orElseThrow();
        WebElement partner = card.findElement(By.cssSelector(".pair img.partner"));
        assertThat(partner.getDomAttribute("data-partner")).isEqualTo(original);
        assertThat(partner.getDomAttribute("alt")).isEqualTo("near duplicate: a/" + pngs.get(5).getFileName());
        wait.until(d -> (Boolean) ((ChromeDriver) d).executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", partner));
        assertThat(card.findElement(By.cssSelector(".label")).getText()).isEqualTo("Label: a");

        card.findElement(By.cssSelector("button.view")).click();
        WebElement viewer = browser.findElement(By.id("viewer"));
        wait.until(d -> viewer.isDisplayed());
        assertThat(browser.findElement(By.id("viewer-label")).getText()).isEqualTo("Label: a");
        assertThat(browser.findElement(By.id("viewer-path")).getText()).isEqualTo("a/zz-smaller.jpg");
        assertThat(browser.findElement(By.id("viewer-flags")).getText()).contains("near duplicate");
        WebElement big = browser.findElement(By.id("viewer-image"));
        wait.until(d -> (Boolean) ((ChromeDriver) d).executeScript("return arguments[0].complete && arguments[0].naturalWidth === 48", big));
        assertThat(card.findElement(By.cssSelector(".pick")).isSelected()).isFalse(); // the view button does not pick
        browser.findElement(By.id("viewer-close")).click();
        wait.until(d -> !viewer.isDisplayed());

        // A bad threshold: the message is next to the form, not at the top of the page.
        browser.findElement(By.cssSelector("#settings summary")).click();
        WebElement first = browser.findElement(By.cssSelector("#thresholds input"));
        first.sendKeys("not a number");
        browser.findElement(By.cssSelector("#thresholds button[type='submit']")).click();
        WebElement message = browser.findElement(By.id("thresholds-message"));
        wait.until(d -> message.getText().startsWith("Thresholds not saved: "));
        WebElement form = browser.findElement(By.id("thresholds"));
        int gap = message.getRect().getY() - (form.getRect().getY() + form.getRect().getHeight());
        assertThat(gap).isBetween(0, 100);
        assertThat(browser.findElement(By.id("message")).getText()).isEmpty();
        Browsers.screenshot(browser, "project-checks");
    }
}
