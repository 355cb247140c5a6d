package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.account.Role;
import dev.fovea.core.account.Scope;
import dev.fovea.core.account.User;
import dev.fovea.core.project.Project;
import dev.fovea.core.review.Decision;
import dev.fovea.core.review.QueueOrder;
import dev.fovea.core.review.ReviewService;
import dev.fovea.core.review.ReviewSettings;
import dev.fovea.core.review.ReviewerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * The admin's reviewers page in real headless Chromium, over reviews made through the service: figures that agree
 * with the pay report (finding 9 of issue 16) and the admin's actions on reviewers and gold images (finding 8).
 */
class ReviewersPageIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    Project project;
    final List<String> images = new ArrayList<>();
    User helper, aide;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        project = t.storage.projects().create("pets", List.of("cat", "dog"));
        for (Path png : samplePngs("animals-nature", 6)) { // all imported from a folder named "dog"
            images.add(t.context.ingest().ingest(project, "dog/" + png.getFileName(), encode(opaque(read(png)), "png"), "dog").sha256());
        }
        ReviewService reviews = t.context.reviews();
        reviews.saveSettings(project, new ReviewSettings("", Map.of(), 2, 0, QueueOrder.UNREVIEWED_FIRST, 120, 1));
        t.context.accounts().addUser("aide", Role.REVIEWER);
        helper = t.storage.accounts().findUser("helper").orElseThrow();
        aide = t.storage.accounts().findUser("aide").orElseThrow();
        reviews.addReviewer(project, "helper", 1200, "EUR");
        reviews.addReviewer(project, "aide", 1200, "EUR");
        decide(helper, 0, Decision.SUITABLE, "cat");   // contradicts the folder label
        decide(helper, 1, Decision.SUITABLE, "dog");   // agrees with it
        decide(helper, 3, Decision.SUITABLE, "dog");
        t.clock.advance(Duration.ofSeconds(5));
        reviews.undoLast(project, helper);              // one undo
        decide(helper, 2, Decision.SKIP, null);         // one skip
        decide(aide, 0, Decision.SUITABLE, "dog");      // image 0: cat against dog, a disagreement
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // rows are redrawn after each change
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private void decide(User user, int image, Decision decision, String cls) {
        t.clock.advance(Duration.ofSeconds(10));
        t.context.reviews().submit(project, user, images.get(image), decision, cls, 4_000, UUID.randomUUID());
    }

    private void openPage() {
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys("boss");
        browser.findElement(By.id("password")).sendKeys(t.admin.password());
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.urlToBe(t.url("/")));
        reload();
    }

    private void reload() {
        browser.get(t.url("/projects/pets/reviewers"));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
    }

    private WebElement row(String user) {
        return browser.findElement(By.cssSelector("#stats tr[data-user='" + user + "']"));
    }

    private static String cell(WebElement row, String key) {
        return row.findElement(By.cssSelector("[data-key='" + key + "']")).getText();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    @Test
    void finding9FiguresAgreeWithThePayReportAndSayWhatTheyMean() {
        openPage();
        WebElement helperRow = row("helper");
        assertThat(cell(helperRow, "reviews")).isEqualTo("2");
        assertThat(cell(helperRow, "skips")).isEqualTo("1");
        assertThat(cell(helperRow, "undone")).isEqualTo("1");
        String csv = t.send(t.request("/api/projects/pets/review/pay.csv")
                .header("Authorization", "Bearer " + t.token("boss", Scope.ADMIN))).body();
        String[] helperCsv = csv.lines().filter(l -> l.startsWith("helper,")).findFirst().orElseThrow().split(",");
        assertThat(csv.lines().findFirst().orElseThrow()).startsWith("reviewer,day,reviews,skips,undone,");
        assertThat(List.of(helperCsv[2], helperCsv[3], helperCsv[4])).containsExactly("2", "1", "1");
        // Against the folder label "dog", which image 0 had before her "cat": 1 of 2, not 100% (her own vote).
        assertThat(cell(helperRow, "agreement")).isEqualTo("50% (1 of 2)");
        // aide said "dog" after helper's "cat" had labelled image 0: the label before aide's decision was "cat".
        assertThat(cell(row("aide"), "agreement")).isEqualTo("0% (0 of 1)");
        assertThat(text("definitions")).contains("Agreement with labels").contains("before that decision")
                .contains("Skips, Undone");

        // Settling: a message, and the card showed the imported label.
        WebElement card = browser.findElement(By.cssSelector("#disagreements li[data-image='" + images.get(0) + "']"));
        assertThat(card.findElement(By.cssSelector(".label")).getText()).isEqualTo("Imported label: dog");
        card.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("dog")).findFirst().orElseThrow().click();
        wait.until(d -> text("settle-message").contains("settled as 'dog'"));
        assertThat(browser.findElements(By.cssSelector("#disagreements li"))).isEmpty();
        assertThat(t.storage.reviews().settlements(project.id())).containsKey(images.get(0));

        // Excluding aide: the row says so, and the pair's kappa goes, with a line naming who is left out.
        assertThat(browser.findElements(By.cssSelector("#kappas tbody tr"))).hasSize(1);
        row("aide").findElement(By.cssSelector("[data-key='excluded'] input")).click();
        wait.until(d -> "excluded".equals(row("aide").getDomAttribute("class")));
        assertThat(cell(row("aide"), "excluded")).contains("left out of labels and kappas");
        assertThat(browser.findElements(By.cssSelector("#kappas tbody tr"))).isEmpty();
        assertThat(text("kappa-excluded")).contains("aide");
        assertThat(text("stats-message")).contains("'aide' is excluded");
        Browsers.screenshot(browser, "reviewers-figures");
    }

    @Test
    void finding8AdminChangesARateRemovesAReviewerMarksGoldAndSeesProgress() {
        openPage();
        assertThat(text("progress")).startsWith("6 images:").contains("1 disagreement").contains("1 labelled");

        // Change a rate in the table, and re-adding an existing reviewer changes the rate instead of failing.
        WebElement rate = row("helper").findElement(By.cssSelector("input.rate"));
        rate.clear();
        rate.sendKeys("20");
        row("helper").findElement(By.cssSelector("button.change-rate")).click();
        wait.until(d -> text("stats-message").contains("Rate of 'helper' is now 20.00 EUR"));
        assertThat(cell(row("helper"), "hourly-rate")).isEqualTo("20.00 EUR");
        browser.findElement(By.id("reviewer-name")).sendKeys("helper");
        browser.findElement(By.id("reviewer-rate")).sendKeys("15");
        browser.findElement(By.id("add-reviewer-button")).click();
        wait.until(d -> text("reviewer-message").contains("already a reviewer"));
        assertThat(t.context.reviews().reviewers(project)).filteredOn(r -> r.userName().equals("helper"))
                .extracting(ReviewerInfo::hourlyRateCents).containsExactly(1500L);

        // Gold: mark image 4 with its answer; helper answers it; gold accuracy shows.
        browser.findElement(By.id("gold-image")).sendKeys(images.get(4));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("gold-answer"))).selectByValue("dog");
        browser.findElement(By.id("gold-add")).click();
        wait.until(d -> !d.findElements(By.cssSelector("#gold li[data-image='" + images.get(4) + "']")).isEmpty());
        assertThat(text("gold-message")).contains("is gold with the answer 'dog'");
        assertThat(t.storage.reviews().gold(project.id())).containsOnlyKeys(images.get(4));
        decide(helper, 4, Decision.SUITABLE, "dog");
        reload();
        assertThat(cell(row("helper"), "gold")).isEqualTo("100%");
        browser.findElement(By.cssSelector("#gold li[data-image='" + images.get(4) + "'] button.unmark-gold")).click();
        wait.until(d -> d.findElements(By.cssSelector("#gold li")).isEmpty());
        assertThat(t.storage.reviews().gold(project.id())).isEmpty();

        // Remove a reviewer (after a confirmation): they can no longer review, but their row stays, marked, with
        // their pay, on the page and in the pay report: their past reviews were work done.
        String payBefore = cell(row("aide"), "pay");
        row("aide").findElement(By.cssSelector("button.remove-reviewer")).click();
        browser.switchTo().alert().accept();
        wait.until(d -> d.findElements(By.cssSelector("#stats tr.removed[data-user='aide']")).size() == 1);
        assertThat(text("stats-message")).contains("'aide' is no longer a reviewer");
        assertThat(row("aide").getText()).contains("aide (removed)");
        assertThat(row("aide").findElements(By.cssSelector("button.remove-reviewer"))).isEmpty();
        assertThat(cell(row("aide"), "pay")).isEqualTo(payBefore);
        assertThat(t.context.reviews().stats(project).reviewers()).anyMatch(r -> r.name().equals("aide") && r.removed());
        assertThat(t.context.reviews().reviewers(project)).extracting(ReviewerInfo::userName).containsExactly("helper");
        assertThat(t.storage.reviews().reviewsBy(project.id(), aide.id())).hasSize(1);
        Browsers.screenshot(browser, "reviewers-admin");
    }
}
