package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.app.Golden;
import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bodies of the routes that scripts and the pages read, byte for byte, over a small trained project. Written
 * before the structural changes of issue 13, to show they change nothing.
 */
class GoldenRouteBodiesIT {
    @TempDir Path dir;

    @Test
    void routeBodiesStayTheSame() throws Exception {
        assertThat(FashionMnist.available()).as("Debian's dataset-fashion-mnist is installed").isTrue();
        try (TestServer t = new TestServer(dir, Map.of())) {
            String admin = t.token("boss", Scope.ADMIN);
            Project p = t.storage.projects().create("fm", List.of("trouser", "bag"));
            List<FashionMnist.Item> items = FashionMnist.balanced(true, 30, Set.of(1, 8));
            for (FashionMnist.Item item : items) {
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(FashionMnist.image(item), "png", png);
                t.context.ingest().ingest(p, item.className() + "/" + item.fileName(), png.toByteArray(), item.className());
            }
            TrainSettings s = TrainSettings.parse(Map.of("input_size", 28, "cnn_channels", 16, "cnn_blocks", 2,
                    "epochs", 2, "augment", "none", "batch_size", 18));
            assertThat(call(t, admin, "POST", "/api/projects/fm/checks", null).statusCode()).isEqualTo(200);
            golden(t, admin, "/api/projects/fm/datasets", "POST", "{\"validation\":0.2,\"test\":0.2,\"seed\":42}",
                    "routes/dataset-freeze.json", false);
            t.context.training().train(p, 1, s, List.of("baseline"), null, new TrainingListener() {});
            t.context.training().train(p, 1, s.with(Map.of("lr", 0.01)), List.of(), null, new TrainingListener() {});
            golden(t, admin, "/api/models", "POST", "{\"run\":1,\"name\":\"fm\",\"alias\":\"production\"}",
                    "routes/model-register.json", true);
            t.context.reviews().addReviewer(p, "helper", 1200, "EUR");
            String reviewer = t.token("helper", Scope.REVIEW);
            HttpResponse<String> queued = call(t, reviewer, "GET", "/api/projects/fm/review/queue?count=2", null);
            // Which images come first follows the project's own shuffle (its id is new each time): not the shape.
            Golden.of(queued.body().replaceAll("[0-9a-f]{64}", "<sha256>")).matches("routes/review-queue.json");
            JsonNode queue = ServerSecurityIT.json(queued);
            for (JsonNode image : queue.get("images")) {
                // The images are random: each gets its imported label, so "agreement with labels" is 1.0 every run.
                String label = t.storage.images().find(p.id(), image.get("id").asText()).orElseThrow().label();
                assertThat(call(t, reviewer, "POST", "/api/projects/fm/reviews", "{\"client_id\":\"" + UUID.randomUUID()
                        + "\",\"image\":\"" + image.get("id").asText() + "\",\"decision\":\"suitable\",\"class\":\"" + label + "\","
                        + "\"duration_ms\":1500}").statusCode()).isEqualTo(201);
            }

            golden(t, admin, "/api/projects", "routes/projects.json", false);
            golden(t, admin, "/api/projects/fm", "routes/project.json", false);
            golden(t, admin, "/api/projects/fm/images?limit=3", "routes/images.json", false);
            golden(t, admin, "/api/projects/fm/flags", "routes/flags.json", false);
            golden(t, admin, "/api/projects/fm/checks/thresholds", "routes/thresholds.json", false);
            golden(t, admin, "/api/projects/fm/datasets", "routes/datasets.json", false);
            golden(t, admin, "/api/projects/fm/datasets/1", "routes/dataset.json", false);
            golden(t, admin, "/api/runs?project=fm", "routes/runs.json", true);
            golden(t, admin, "/api/runs/1", "routes/run.json", true);
            golden(t, admin, "/api/runs/1/metrics", "routes/run-metrics.json", true);
            golden(t, admin, "/api/runs/compare?ids=1,2", "routes/runs-compare.json", true);
            golden(t, admin, "/api/runs/export.csv?project=fm", "routes/runs-export.csv", true);
            golden(t, admin, "/api/models", "routes/models.json", true);
            golden(t, admin, "/api/models/fm", "routes/model.json", true);
            golden(t, admin, "/api/models/fm/versions/1", "routes/model-version.json", true);
            golden(t, admin, "/api/users", "routes/users.json", false);
            golden(t, admin, "/api/projects/fm/reviewers", "routes/reviewers.json", false);
            golden(t, admin, "/api/projects/fm/review/stats", "routes/review-stats.json", false);
            golden(t, admin, "/api/projects/fm/review/pay.csv", "routes/pay.csv", false);
            golden(t, admin, "/api/runs/99", "routes/error-missing-run.json", false);
        }
    }

    private static HttpResponse<String> call(TestServer t, String token, String method, String path, String json) {
        HttpRequest.Builder b = t.request(path).header("Authorization", "Bearer " + token);
        if (json == null) return t.send(b.method(method, HttpRequest.BodyPublishers.noBody()));
        return t.send(b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)));
    }

    private void golden(TestServer t, String token, String path, String file, boolean trained) {
        golden(t, token, path, "GET", null, file, trained);
    }

    private void golden(TestServer t, String token, String path, String method, String json, String file, boolean trained) {
        HttpResponse<String> r = call(t, token, method, path, json);
        String doc = r.statusCode() + " " + r.headers().firstValue("Content-Type").orElse("") + "\n" + r.body();
        (trained ? Golden.trained(doc, dir) : Golden.of(doc, dir)).matches(file);
    }
}
