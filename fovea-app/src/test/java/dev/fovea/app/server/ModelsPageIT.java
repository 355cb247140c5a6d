package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.project.Project;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * The models pages and the API docs page in real headless Chromium, over two versions of a model trained for real
 * on Fashion-MNIST: the list, a model's versions with their runs' test figures, an alias moved from the page, the
 * test box classifying a sample image with every version, Swagger UI over the whole API, and a reviewer's refusal.
 */
class ModelsPageIT {
    @TempDir Path dir;
    TestServer t;
    ChromeDriver browser;
    WebDriverWait wait;
    ModelVersion v1, v2;

    @BeforeEach
    void start() throws Exception {
        t = new TestServer(dir, Map.of());
        Project project = t.storage.projects().create("fm", List.of("trouser", "bag"));
        for (FashionMnist.Item item : FashionMnist.balanced(true, 40, Set.of(1, 8))) {
            t.context.ingest().ingest(project, item.className() + "/" + item.fileName(), png(item), item.className());
        }
        t.context.datasets().freeze(project, 0.2, 0.2, 42);
        TrainSettings s = TrainSettings.parse(Map.of("input_size", 28, "cnn_channels", 16, "cnn_blocks", 2, "epochs", 2,
                "augment", "none", "lr", 0.003, "early_stopping_patience", 0));
        long r1 = t.context.training().train(project, 1, s, List.of(), null, new TrainingListener() {}).run().id();
        long r2 = t.context.training().train(project, 1, s.with(Map.of("seed", 7)), List.of(), null, new TrainingListener() {}).run().id();
        v1 = t.context.registry().register(r1, "fm", "first");
        v2 = t.context.registry().register(r2, "fm", "second");
        t.context.registry().alias("fm", "production", 1);
        browser = Browsers.chromium(dir.resolve("profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        t.close();
    }

    private static byte[] png(FashionMnist.Item item) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(FashionMnist.image(item), "png", out);
        return out.toByteArray();
    }

    private void login(String user, String password) {
        browser.get(t.url("/login"));
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-button")).click();
        wait.until(d -> d.getCurrentUrl().equals(t.url("/")));
    }

    private void open(String path) {
        browser.get(t.url(path));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded"))
                || d.findElement(By.tagName("body")).getDomAttribute("data-failure") != null);
    }

    @Test
    void versionsAliasesAndTheTestBoxClassifyASampleImage() throws Exception {
        login("boss", t.admin.password());
        open("/models");
        WebElement row = browser.findElement(By.cssSelector("#models tr[data-model='fm']"));
        assertThat(row.getText()).contains("2").contains("production → 1");
        row.findElement(By.tagName("a")).click();
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(browser.getCurrentUrl()).endsWith("/models/fm");
        WebElement first = browser.findElement(By.cssSelector("#versions tr[data-version='1']"));
        assertThat(first.findElement(By.cssSelector("td.aliases")).getText()).isEqualTo("production");
        double accuracy = t.storage.runs().run(v1.runId()).orElseThrow().summary().get("test_accuracy");
        assertThat(first.getText()).contains(String.format(java.util.Locale.ROOT, "%.4f", accuracy)).contains("run " + v1.runId());

        // Move production to version 2 from the page.
        browser.findElement(By.id("alias-name")).sendKeys("production");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("alias-version"))).selectByValue("2");
        browser.findElement(By.id("move-alias")).click();
        wait.until(d -> d.findElement(By.id("alias-message")).getText().equals("production now points at version 2."));
        assertThat(t.storage.models().aliases("fm")).containsEntry("production", 2);
        wait.until(d -> d.findElement(By.cssSelector("#versions tr[data-version='2'] td.aliases")).getText().equals("production"));

        // The test box: a held-out trouser from the test file; each version gives its top classes.
        FashionMnist.Item trouser = FashionMnist.balanced(false, 1, Set.of(1)).get(0);
        Path image = dir.resolve("trouser.png");
        Files.write(image, png(trouser));
        browser.findElement(By.id("test-file")).sendKeys(image.toAbsolutePath().toString());
        wait.until(d -> d.findElements(By.cssSelector("#test-results .result li")).size() == 4);
        // Each version's answer on the page is what OIP v2 answers a client; the better version gets it right.
        String predict = t.token("boss", dev.fovea.core.account.Scope.PREDICT);
        String request = "{\"inputs\": [{\"name\": \"image\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\""
                + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(image)) + "\"]}]}";
        List<String> firstClasses = new java.util.ArrayList<>();
        for (String v : List.of("1", "2")) {
            WebElement result = browser.findElement(By.cssSelector("#test-results .result[data-version='" + v + "']"));
            List<WebElement> top = result.findElements(By.tagName("li"));
            assertThat(top).hasSize(2); // two classes
            var answer = t.send(t.request("/v2/models/fm/versions/" + v + "/infer").header("Authorization", "Bearer " + predict)
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(request)));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            var outputs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).get("outputs");
            String label = null;
            double p = 0;
            for (var o : outputs) {
                if (o.get("name").asText().equals("label")) label = o.get("data").get(0).asText();
            }
            for (var o : outputs) {
                if (o.get("name").asText().equals("probabilities")) p = o.get("data").get(v1.classes().indexOf(label)).asDouble();
            }
            assertThat(top.get(0).getText()).as("version " + v).isEqualTo(String.format(java.util.Locale.ROOT, "%s: %.1f %%", label, p * 100));
            firstClasses.add(label);
        }
        assertThat(firstClasses).as("a held-out trouser, by two small CNNs").contains("trouser");
        Browsers.screenshot(browser, "model-page");
    }

    @Test
    void theApiDocsPageListsTheApiAndTheInferenceProtocols() {
        login("boss", t.admin.password());
        open("/api/docs");
        wait.until(d -> !d.findElements(By.cssSelector("#swagger-ui .opblock")).isEmpty());
        String text = browser.findElement(By.id("swagger-ui")).getText();
        assertThat(text).contains("Fovea API").contains("Open Inference Protocol v2").contains("MLflow tracking")
                .contains("/api/runs/{id}/predictions");
        assertThat(browser.findElements(By.cssSelector("#menu a"))).extracting(WebElement::getText)
                .containsExactly("Projects", "Runs", "Models", "API");
        Browsers.screenshot(browser, "api-docs");
    }

    @Test
    void aReviewerSeesNoModelsInTheMenuAndIsRefusedThePage() {
        login("helper", t.reviewer.password());
        open("/models/fm");
        assertThat(browser.findElement(By.tagName("body")).getDomAttribute("data-failure")).isEqualTo("403");
        assertThat(browser.findElements(By.cssSelector("#menu a"))).extracting(WebElement::getText).containsExactly("Projects", "API");
    }
}
