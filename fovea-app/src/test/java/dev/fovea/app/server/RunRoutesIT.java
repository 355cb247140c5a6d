package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.Run;
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
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/runs}: the recorded runs over HTTP, and wrong input to those routes. */
class RunRoutesIT {
    @TempDir static Path dir;
    static TestServer t;
    static String admin;
    static Run first, second;

    @BeforeAll
    static void trainTwoRuns() throws Exception {
        assertThat(FashionMnist.available()).as("Debian's dataset-fashion-mnist is installed").isTrue();
        t = new TestServer(dir, Map.of());
        admin = t.token("boss", Scope.ADMIN);
        Project p = t.storage.projects().create("fm", List.of("trouser", "bag"));
        for (FashionMnist.Item item : FashionMnist.balanced(true, 30, Set.of(1, 8))) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(FashionMnist.image(item), "png", png);
            t.context.ingest().ingest(p, item.className() + "/" + item.fileName(), png.toByteArray(), item.className());
        }
        t.context.datasets().freeze(p, 0.2, 0.2, 42);
        // 36 training images: batches of 32 and 4 (8 channels, no longer allowed, gave NaN now and then: TrainSettings)
        TrainSettings s = TrainSettings.parse(Map.of("input_size", 28, "cnn_channels", 16, "cnn_blocks", 2,
                "epochs", 2, "augment", "none"));
        first = t.context.training().train(p, 1, s, List.of("baseline"), null, new TrainingListener() {}).run();
        second = t.context.training().train(p, 1, s.with(Map.of("lr", 0.01)), List.of(), null, new TrainingListener() {}).run();
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    private HttpResponse<String> call(String method, String path, String json) {
        return t.send(t.request(path).header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ServerSecurityIT.json(r);
    }

    private static void refused(HttpResponse<String> r, int status, String messagePart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(ServerSecurityIT.json(r).get("error").get("message").asText()).contains(messagePart);
    }

    @Test
    void listsShowsAndComparesRuns() {
        JsonNode list = ok(call("GET", "/api/runs?project=fm", null));
        assertThat(list.get("runs")).hasSize(2);
        assertThat(list.get("runs").get(0).get("run").asLong()).isEqualTo(second.id());
        JsonNode one = ok(call("GET", "/api/runs/" + first.id(), null));
        assertThat(one.get("status").asText()).isEqualTo("finished");
        assertThat(one.get("params").get("cnn_channels").asText()).isEqualTo("16");
        assertThat(one.get("tags").get(0).asText()).isEqualTo("baseline");
        assertThat(one.get("summary").get("test_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(one.get("artifacts").toString()).contains("model.params", "test_predictions.csv");
        assertThat(one.get("provenance").get("dataset_hash").asText()).isEqualTo(first.datasetHash());

        JsonNode metrics = ok(call("GET", "/api/runs/" + first.id() + "/metrics?key=val_accuracy", null));
        assertThat(metrics.get("metrics").get("val_accuracy")).hasSize(2);
        JsonNode all = ok(call("GET", "/api/runs/" + first.id() + "/metrics", null));
        assertThat(all.get("metrics").has("train_loss") && all.get("metrics").has("lr")).isTrue();

        JsonNode cmp = ok(call("GET", "/api/runs/compare?ids=" + first.id() + "," + second.id(), null));
        assertThat(cmp.get("differing_params").toString()).isEqualTo("[\"lr\"]");

        HttpResponse<String> csv = call("GET", "/api/runs/export.csv?project=fm", null);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.body().lines()).hasSize(3);

        HttpResponse<String> confusion = call("GET", "/api/runs/" + first.id() + "/artifacts/confusion_matrix.csv", null);
        assertThat(confusion.statusCode()).isEqualTo(200);
        assertThat(confusion.body()).startsWith("actual\\predicted,trouser,bag");
    }

    @Test
    void tagsAndNotesAreEditable() {
        JsonNode tagged = ok(call("PUT", "/api/runs/" + second.id() + "/tags", "{\"tags\":[\"lr-sweep\",\"v1\"]}"));
        assertThat(tagged.get("tags").toString()).isEqualTo("[\"lr-sweep\",\"v1\"]");
        JsonNode noted = ok(call("PUT", "/api/runs/" + second.id() + "/notes", "{\"notes\":\"higher lr, same data\"}"));
        assertThat(noted.get("notes").asText()).isEqualTo("higher lr, same data");
        assertThat(t.storage.runs().run(second.id()).orElseThrow().notes()).isEqualTo("higher lr, same data");
    }

    @Test
    void wrongInputIsAClearError() {
        refused(call("GET", "/api/runs/abc", null), 400, "run id 'abc' is not a number");
        refused(call("GET", "/api/runs/999", null), 404, "run 999 does not exist");
        refused(call("GET", "/api/runs/compare?ids=" + first.id(), null), 400, "two or more");
        refused(call("GET", "/api/runs/compare?ids=" + first.id() + ",999", null), 404, "run 999");
        refused(call("GET", "/api/runs/compare", null), 400, "ids=");
        refused(call("GET", "/api/runs?project=nope", null), 404, "'nope'");
        refused(call("GET", "/api/runs/" + first.id() + "/artifacts/secrets.txt", null), 404, "no artifact 'secrets.txt'");
        refused(call("PUT", "/api/runs/" + first.id() + "/tags", "{\"tags\":[\"no spaces\"]}"), 400, "'no spaces'");
        refused(call("PUT", "/api/runs/" + first.id() + "/tags", "{\"tag\":\"x\"}"), 400, "\"tags\"");
        refused(call("PUT", "/api/runs/" + first.id() + "/notes", "{\"notes\":"), 400, "not valid JSON");
        assertThat(t.storage.runs().run(first.id()).orElseThrow().tags()).containsExactly("baseline");
    }

    /** The runs table's query: each bad parameter is named with its value; nothing is written. */
    @Test
    void aBadRunsQueryIsAClearError() {
        refused(call("GET", "/api/runs?status=done", null), 400, "status 'done' is not one of queued, running");
        refused(call("GET", "/api/runs?order=up", null), 400, "order 'up' is not asc or desc");
        refused(call("GET", "/api/runs?sort=colour", null), 400, "cannot be sorted by 'colour'");
        refused(call("GET", "/api/runs?sort=metrics.val_loss&aggregate=median", null), 400, "'median' is not a way");
        refused(call("GET", "/api/runs?limit=0", null), 400, "1 to 1000 runs, not 0");
        refused(call("GET", "/api/runs?limit=ten", null), 400, "limit 'ten' is not a whole number");
        refused(call("GET", "/api/runs?offset=-1", null), 400, "cannot start at -1");
        refused(call("GET", "/api/runs?dataset=one", null), 400, "dataset 'one' is not a whole number");
        refused(call("GET", "/api/runs?filter=params.lr%20%3E", null), 400, "is not KIND.NAME OP VALUE");
        refused(call("GET", "/api/runs/keys?project=nope", null), 404, "'nope'");
        refused(call("GET", "/api/runs/" + first.id() + "/metrics?after=x", null), 400, "after 'x' is not a step");
        refused(call("GET", "/api/runs/" + first.id() + "/predictions?offset=-2", null), 400, "offset -2 is below 0");
        // A good query still answers after all that, with the same runs.
        HttpResponse<String> ok = call("GET", "/api/runs?sort=metrics.val_accuracy&limit=1", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"total\":2").contains("\"limit\":1");
    }
}
