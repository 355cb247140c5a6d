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
import org.openqa.selenium.Keys;
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

    /**
     * What a helper on a tablet does with the findings, by keyboard: filter, relabel, lose the network, reload.
     * The findings are stored as the check stores them (the training that makes them is the test above).
     */
    @Test
    void onATabletByKeyboardALostNetworkLosesNothingAndAReloadGoesOn() {
        List<String> planted = plantFindings();
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(820, 1180));
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys("boss");
        browser.findElement(By.id("password")).sendKeys(t.admin.password(), Keys.ENTER);
        wait.until(d -> d.getCurrentUrl().equals(t.url("/")));
        browser.get(t.url("/projects/fashion"));
        wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
        Object overflow = browser.executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(((Number) overflow).intValue()).as("nothing wider than the tablet").isLessThanOrEqualTo(0);

        browser.findElement(By.cssSelector(".filters button[data-flag='likely_mislabelled']")).sendKeys(Keys.ENTER);
        waitLoaded(planted.size());
        WebElement first = browser.findElements(By.cssSelector(".card")).get(0);
        String firstPath = first.findElement(By.cssSelector(".path")).getText();
        first.findElement(By.cssSelector(".relabel")).sendKeys(Keys.ENTER);
        waitLoaded(planted.size() - 1);
        assertThat(browser.findElement(By.id("message")).getText()).startsWith(firstPath + " relabelled as ");

        var offline = new org.openqa.selenium.chromium.ChromiumNetworkConditions();
        offline.setOffline(true);
        browser.setNetworkConditions(offline);
        WebElement next = browser.findElements(By.cssSelector(".card")).get(0);
        String nextPath = next.findElement(By.cssSelector(".path")).getText();
        next.findElement(By.cssSelector(".relabel")).sendKeys(Keys.ENTER);
        wait.until(d -> d.findElement(By.id("message")).getText().startsWith(nextPath + " not relabelled:"));
        assertThat(browser.findElements(By.cssSelector(".card"))).as("the card stays for another try").hasSize(planted.size() - 1);
        assertThat(labelOf(nextPath)).as("nothing was settled").isNull();

        browser.deleteNetworkConditions();
        browser.navigate().refresh();
        wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
        browser.findElement(By.cssSelector(".filters button[data-flag='likely_mislabelled']")).sendKeys(Keys.ENTER);
        waitLoaded(planted.size() - 1);
        WebElement again = browser.findElements(By.cssSelector(".card")).stream()
                .filter(c -> c.findElement(By.cssSelector(".path")).getText().equals(nextPath)).findFirst().orElseThrow();
        String suggested = again.findElement(By.cssSelector(".relabel")).getDomAttribute("data-class");
        again.findElement(By.cssSelector(".relabel")).sendKeys(Keys.ENTER);
        waitLoaded(planted.size() - 2);
        assertThat(labelOf(nextPath)).isEqualTo(suggested).isEqualTo(truth.get(nextPath));
        assertThat(labelOf(firstPath)).isEqualTo(truth.get(firstPath));
        Browsers.screenshot(browser, "checks-likely-mislabelled-tablet");
    }

    @Test
    void aReviewerMayNeitherStartTheCheckNorRelabel() {
        List<String> planted = plantFindings();
        String token = t.token("helper", dev.fovea.core.account.Scope.REVIEW);
        String sha = shaOf(planted.get(0));
        var start = t.send(t.request("/api/projects/fashion/checks/mislabelled").header("Authorization", "Bearer " + token)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")));
        var state = t.send(t.request("/api/projects/fashion/checks/mislabelled").header("Authorization", "Bearer " + token));
        var relabel = t.send(t.request("/api/projects/fashion/relabel").header("Authorization", "Bearer " + token)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"image\": \"" + sha + "\", \"class\": \"" + truth.get(planted.get(0)) + "\"}")));
        assertThat(List.of(start.statusCode(), state.statusCode(), relabel.statusCode())).containsOnly(403);
        assertThat(labelOf(planted.get(0))).isNull();
        assertThat(t.storage.curation().flags(project.id()).get(sha)).extracting(f -> f.name().word())
                .contains("likely_mislabelled");
    }

    /** The planted label errors as likely_mislabelled findings (ranked, with the true class suggested), kept with the plain flags. */
    private List<String> plantFindings() {
        var curation = t.storage.curation();
        Map<String, List<dev.fovea.core.checks.Flag>> flags = new HashMap<>(curation.flags(project.id()));
        List<String> planted = truth.entrySet().stream().filter(e -> !e.getKey().startsWith(e.getValue() + "/"))
                .map(Map.Entry::getKey).sorted().toList();
        int rank = 1;
        for (String path : planted) {
            String label = path.split("/")[0], suggested = truth.get(path);
            List<dev.fovea.core.checks.Flag> mine = new java.util.ArrayList<>(flags.getOrDefault(shaOf(path), List.of()));
            mine.add(new dev.fovea.core.checks.Flag(dev.fovea.core.checks.Flag.Name.LIKELY_MISLABELLED, 0.9,
                    "Labelled '" + label + "', but looks more like '" + suggested + "'.", null, suggested, rank++));
            flags.put(shaOf(path), mine);
        }
        curation.replaceFlags(project.id(), flags, java.time.Instant.now());
        assertThat(planted).hasSize(9);
        return planted;
    }

    private String shaOf(String path) {
        return t.storage.images().sourcePaths(project.id()).entrySet().stream()
                .filter(e -> e.getValue().get(0).equals(path)).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /** The label a dataset freeze would take now from an admin's settlement, or null where none was made. */
    private String labelOf(String path) {
        String sha = shaOf(path);
        String label = t.context.datasets().labelled(project).get(sha);
        return label == null || label.equals(path.split("/")[0]) ? null : label;
    }

    private void waitLoaded(int cards) {
        wait.until(d -> ("pending:likely_mislabelled:" + cards).equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
    }
}
