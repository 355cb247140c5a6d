package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.Artifact;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.TestPredictions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A run's page and the compare page in real headless Chromium, over runs written through the store: curves,
 * the confusion matrix and per-class figures from the run's test predictions, the misclassified images, notes and
 * tags, a run in training whose curves grow, and two runs compared with the differing params marked.
 */
class RunPageIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    Project project;
    final List<String> images = new ArrayList<>();

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        project = t.storage.projects().create("pets", List.of("cat", "dog"));
        int i = 0;
        for (Path png : samplePngs("animals-nature", 6)) {
            String label = i++ % 2 == 0 ? "cat" : "dog";
            images.add(t.context.ingest().ingest(project, label + "/" + png.getFileName(), encode(opaque(read(png)), "png"), label).sha256());
        }
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys("boss");
        browser.findElement(By.id("password")).sendKeys(t.admin.password());
        browser.findElement(By.id("login-button")).click();
        wait.until(d -> d.getCurrentUrl().equals(t.url("/")));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private Run run(String lr, int epochs) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("lr", lr);
        params.put("epochs", "3");
        params.put("model", "small-cnn");
        Run r = t.storage.runs().create(new NewRun(project.id(), 1, dev.fovea.core.blob.Sha256.hex("d".getBytes(StandardCharsets.UTF_8)),
                params, Map.of("project", "pets", "host", "test"), List.of(), null, t.clock.instant()));
        addEpochs(r, 1, epochs);
        return r;
    }

    private void addEpochs(Run r, int from, int to) {
        Instant at = t.clock.instant();
        List<MetricPoint> points = new ArrayList<>();
        for (int e = from; e <= to; e++) {
            for (int s = 1; s <= 10; s++) points.add(new MetricPoint("train_loss", (e - 1) * 10L + s, e, 1.0 / (e + s / 10.0), at));
            points.add(new MetricPoint("epoch_train_loss", e * 10L, e, 1.0 / e, at));
            points.add(new MetricPoint("val_loss", e * 10L, e, 1.2 / e, at));
            points.add(new MetricPoint("val_accuracy", e * 10L, e, 0.5 + 0.1 * e, at));
        }
        t.storage.runs().addMetrics(r.id(), points);
    }

    /** Six test images: cats are 0, 2, 4 and dogs 1, 3, 5; image 2 (a cat) and image 5 (a dog) are got wrong. */
    private void testPredictions(Run r) {
        List<TestPredictions.Row> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int actual = i % 2;
            boolean wrong = i == 2 || i == 5;
            float p = wrong ? 0.3f : 0.8f;
            float[] probs = actual == 0 ? new float[] {p, 1 - p} : new float[] {1 - p, p};
            rows.add(new TestPredictions.Row(images.get(i), (actual == 0 ? "cat/" : "dog/") + i + ".png", actual, probs));
        }
        byte[] csv = new TestPredictions(List.of("cat", "dog"), rows).toCsv().getBytes(StandardCharsets.UTF_8);
        t.storage.runs().putArtifact(r.id(), new Artifact(TestPredictions.ARTIFACT, t.storage.blobs().put(csv), csv.length, "text/csv"));
        t.storage.runs().putSummary(r.id(), Map.of("test_accuracy", 4 / 6.0));
        t.storage.runs().setStatus(r.id(), t.storage.runs().run(r.id()).orElseThrow().version(),
                dev.fovea.core.run.RunStatus.FINISHED, null, t.clock.instant());
    }

    private void open(String path) {
        browser.get(t.url(path));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded"))
                || d.findElement(By.tagName("body")).getDomAttribute("data-failure") != null);
    }

    private String cell(String actual, String predicted) {
        return browser.findElement(By.cssSelector("#confusion td[data-actual='" + actual + "'][data-predicted='" + predicted + "']")).getText();
    }

    @Test
    void aRunPageDrawsCurvesConfusionMisclassifiedImagesAndSavesNotesAndTags() {
        Run r = run("0.003", 3);
        testPredictions(r);
        open("/runs/" + r.id());
        assertThat(browser.findElement(By.id("title")).getText()).isEqualTo("Run " + r.id());
        assertThat(browser.findElement(By.id("facts")).getText()).contains("finished").contains("project pets");
        // Along epochs: the epoch train loss and the validation loss (not the per-step loss), and val_accuracy.
        WebElement loss = browser.findElement(By.id("loss-chart"));
        assertThat(loss.getDomAttribute("data-series")).isEqualTo("2");
        assertThat(loss.findElements(By.tagName("canvas"))).isNotEmpty();
        assertThat(browser.findElement(By.id("accuracy-chart")).getDomAttribute("data-points")).isEqualTo("3");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("x-axis"))).selectByValue("step");
        wait.until(d -> "3".equals(d.findElement(By.id("loss-chart")).getDomAttribute("data-series")));
        assertThat(loss.getDomAttribute("data-points")).as("30 steps of train_loss, 3 of each epoch loss").isEqualTo("36");

        assertThat(cell("cat", "cat")).isEqualTo("2");
        assertThat(cell("cat", "dog")).isEqualTo("1");
        assertThat(cell("dog", "cat")).isEqualTo("1");
        assertThat(cell("dog", "dog")).isEqualTo("2");
        assertThat(browser.findElement(By.id("test-accuracy")).getText()).startsWith("Accuracy 0.6667 on 6 test images");
        assertThat(browser.findElement(By.cssSelector("#per-class tr[data-class='cat']")).getText()).contains("0.667");
        Browsers.screenshot(browser, "run-page");

        List<WebElement> wrong = browser.findElements(By.cssSelector("#wrong li"));
        assertThat(wrong).extracting(w -> w.getDomAttribute("data-image")).containsExactly(images.get(2), images.get(5));
        assertThat(wrong.get(0).getText()).isEqualTo("cat → dog");
        wrong.get(0).click();
        wait.until(d -> d.findElement(By.id("image-dialog")).isDisplayed());
        assertThat(browser.findElement(By.id("dialog-classes")).getText()).contains("true class cat, predicted dog");
        assertThat(browser.findElement(By.id("dialog-top")).getText()).contains("dog: 70.0 %").contains("cat: 30.0 %");
        wait.until(d -> (Boolean) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                "const i = document.getElementById('dialog-image'); return i.complete && i.naturalWidth > 0;"));
        Browsers.screenshot(browser, "run-page-image");
        browser.findElement(By.id("dialog-close")).click();
        // By keyboard: the second image, focused, opens with Enter; Escape closes the dialog.
        wait.until(d -> !d.findElement(By.id("image-dialog")).isDisplayed());
        wrong.get(1).sendKeys(org.openqa.selenium.Keys.ENTER);
        wait.until(d -> d.findElement(By.id("image-dialog")).isDisplayed());
        assertThat(browser.findElement(By.id("dialog-classes")).getText()).contains("true class dog, predicted cat");
        browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ESCAPE);
        wait.until(d -> !d.findElement(By.id("image-dialog")).isDisplayed());

        browser.findElement(By.id("notes")).sendKeys("<b>lr</b> too high?");
        browser.findElement(By.id("save-notes")).click();
        wait.until(d -> d.findElement(By.id("edit-message")).getText().equals("Notes saved."));
        browser.findElement(By.id("tags")).sendKeys("keep, baseline");
        browser.findElement(By.id("save-tags")).click();
        wait.until(d -> d.findElement(By.id("edit-message")).getText().startsWith("Tags saved"));
        Run saved = t.storage.runs().run(r.id()).orElseThrow();
        assertThat(saved.notes()).isEqualTo("<b>lr</b> too high?");
        assertThat(saved.tags()).containsExactly("keep", "baseline");
        browser.navigate().refresh();
        open("/runs/" + r.id());
        assertThat(browser.findElement(By.id("notes")).getDomProperty("value")).isEqualTo("<b>lr</b> too high?");
        assertThat(browser.findElements(By.cssSelector("#notes b, #facts b"))).as("text, never markup").isEmpty();
        assertThat(browser.findElements(By.cssSelector("#params tr[data-key='lr']"))).hasSize(1);
        assertThat(browser.findElement(By.cssSelector("#artifacts a")).getText()).isEqualTo(TestPredictions.ARTIFACT);
    }

    @Test
    void aRunInTrainingGrowsItsCurvesWithoutAReload() {
        Run r = run("0.001", 1);
        open("/runs/" + r.id());
        assertThat(browser.findElement(By.id("live")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("accuracy-chart")).getDomAttribute("data-points")).isEqualTo("1");
        assertThat(browser.findElement(By.id("no-test")).getText()).contains("has no test predictions").contains("running");
        addEpochs(r, 2, 3);
        wait.until(d -> "3".equals(d.findElement(By.id("accuracy-chart")).getDomAttribute("data-points")));
    }

    @Test
    void twoRunsComparedWithTheDifferingParamsMarked() {
        Run a = run("0.003", 3), b = run("0.01", 2);
        open("/runs/compare?ids=" + a.id() + "," + b.id());
        WebElement lr = browser.findElement(By.cssSelector("#params tr[data-param='lr']"));
        assertThat(lr.getDomAttribute("class")).isEqualTo("differs");
        assertThat(lr.getText()).contains("0.003").contains("0.01");
        WebElement epochs = browser.findElement(By.cssSelector("#params tr[data-param='epochs']"));
        assertThat(epochs.getDomAttribute("class")).isNull();
        Browsers.screenshot(browser, "compare-page");
        browser.findElement(By.id("differences-only")).click();
        assertThat(epochs.isDisplayed()).isFalse();
        assertThat(lr.isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("chart")).getDomAttribute("data-series")).isEqualTo("2");
        // At epoch 3 only run a has values; at epoch 2 both do.
        assertThat(browser.findElement(By.cssSelector("#at-epoch tr[data-metric='val_accuracy']")).getText())
                .contains("0.8000").contains("–");
        WebElement epoch = browser.findElement(By.id("epoch"));
        epoch.clear();
        epoch.sendKeys("2");
        wait.until(d -> !d.findElement(By.cssSelector("#at-epoch tr[data-metric='val_accuracy']")).getText().contains("–"));
        assertThat(browser.findElement(By.cssSelector("#at-epoch tr[data-metric='val_accuracy']")).getText()).contains("0.7000 0.7000");
    }

    private String mlflow(String path, String body) {
        var r = t.send(t.request("/api/2.0/mlflow/" + path).header("Authorization", "Bearer " + t.token("boss", Scope.ADMIN))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    /** A run recorded by a script through MLflow's API shows on the runs page and its own page as a Fovea run does. */
    @Test
    void aRunRecordedThroughMlflowShowsOnTheRunsAndRunPages() throws Exception {
        String created = mlflow("runs/create", "{\"experiment_id\": \"" + project.id() + "\", \"run_name\": \"keras\","
                + " \"start_time\": 1764750000000, \"tags\": [{\"key\": \"team\", \"value\": \"vision\"}]}");
        String run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(created).get("run").get("info").get("run_id").asText();
        List<String> metrics = new ArrayList<>();
        for (int step = 1; step <= 50; step++) {
            metrics.add("{\"key\": \"val_accuracy\", \"value\": " + (0.4 + step / 100.0) + ", \"timestamp\": 1764750000000, \"step\": " + step + "}");
        }
        mlflow("runs/log-batch", "{\"run_id\": \"" + run + "\", \"metrics\": [" + String.join(",", metrics) + "],"
                + " \"params\": [{\"key\": \"optimizer\", \"value\": \"adam\"}, {\"key\": \"units\", \"value\": \"128\"}]}");
        mlflow("runs/update", "{\"run_id\": \"" + run + "\", \"status\": \"FINISHED\", \"end_time\": 1764750060000}");

        open("/runs?source=mlflow");
        WebElement row = browser.findElement(By.cssSelector("#rows tr[data-run='" + run + "']"));
        assertThat(row.findElement(By.cssSelector("td[data-column='status']")).getText()).isEqualTo("finished");
        assertThat(row.findElement(By.cssSelector("td[data-column='tags']")).getText()).isEqualTo("team=vision");
        assertThat(row.findElement(By.cssSelector("td[data-column='metrics.val_accuracy']")).getText()).isEqualTo("0.9000");
        assertThat(browser.findElements(By.cssSelector("#column-list input[value='params.units']"))).hasSize(1);
        row.findElement(By.cssSelector("td[data-column='id'] a")).click();
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(browser.findElement(By.id("facts")).getText()).contains("source mlflow").contains("project pets");
        assertThat(browser.findElement(By.id("accuracy-chart")).getDomAttribute("data-points")).isEqualTo("50");
        assertThat(browser.findElement(By.cssSelector("#params tr[data-key='units']")).getText()).contains("128");
        assertThat(browser.findElement(By.cssSelector("#provenance tr[data-key='mlflow.runName']")).getText()).contains("keras");
        Browsers.screenshot(browser, "run-page-mlflow");
    }

    @Test
    void aReviewerIsRefusedARunsPageAndItsPredictions() {
        Run r = run("0.003", 1);
        testPredictions(r);
        String token = t.token("helper", Scope.REVIEW);
        for (String route : List.of("/api/runs/" + r.id(), "/api/runs/" + r.id() + "/predictions?wrong=true",
                "/api/runs/" + r.id() + "/evaluation", "/api/runs/compare?ids=" + r.id() + "," + r.id())) {
            assertThat(t.send(t.request(route).header("Authorization", "Bearer " + token)).statusCode()).as(route).isEqualTo(403);
        }
        String admin = t.token("boss", Scope.ADMIN);
        var page = t.send(t.request("/api/runs/" + r.id() + "/predictions?wrong=true&limit=1").header("Authorization", "Bearer " + admin));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("\"total\":2").contains("\"thumbnail_url\":\"/api/projects/pets/images/" + images.get(2));
        // What a page polling a run in training asks: only the points after a step.
        var after = t.send(t.request("/api/runs/" + r.id() + "/metrics?after=5").header("Authorization", "Bearer " + admin));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).contains("\"step\":6").contains("\"step\":10").doesNotContain("\"step\":5,");
        var bad = t.send(t.request("/api/runs/" + r.id() + "/predictions?limit=0").header("Authorization", "Bearer " + admin));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("limit 0 is not 1 to 1000");
    }
}
