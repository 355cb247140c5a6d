package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import dev.fovea.core.testing.Damage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks' routes: counts, filters, bulk decisions, thresholds, and what they refuse. */
class CurationRoutesIT {
    @TempDir Path dir;
    TestServer t;
    String admin;
    Project project;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        admin = t.token("boss", Scope.ADMIN);
        project = t.storage.projects().create("pics", List.of("a"));
        for (Path png : samplePngs("food-drink", 12)) t.context.ingest().ingest(project, png.getFileName().toString(), bytes(png), "a");
        t.context.ingest().ingest(project, "dark.png", encode(Damage.exposure(read(samplePngs("food-drink", 20).get(15)), 0.1, 0), "png"), "a");
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private HttpResponse<String> get(String path) {
        return t.send(t.request(path).header("Authorization", "Bearer " + admin).GET());
    }

    private HttpResponse<String> send(String method, String path, String json) {
        return t.send(t.request(path).header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)));
    }

    @Test
    void uploadsAreMeasuredAtOnceAndFlaggedWhenTheChecksRun() {
        JsonNode before = ServerSecurityIT.json(get("/api/projects/pics/flags"));
        assertThat(before.get("checked_at").isNull()).isTrue();
        JsonNode run = ServerSecurityIT.json(send("POST", "/api/projects/pics/checks", "{}"));
        assertThat(run.get("measured_now").asInt()).isZero(); // measured during ingest already
        assertThat(run.get("counts").get("dark").asInt()).isEqualTo(1);
        JsonNode dark = ServerSecurityIT.json(get("/api/projects/pics/flags?flag=dark"));
        assertThat(dark.get("images")).hasSize(1);
        JsonNode image = dark.get("images").get(0);
        assertThat(image.get("path").asText()).isEqualTo("dark.png");
        assertThat(image.get("flags").get(0).get("explanation").asText()).startsWith("Too dark");

        String id = image.get("id").asText();
        JsonNode kept = ServerSecurityIT.json(send("POST", "/api/projects/pics/curation", "{\"images\":[\"" + id + "\"],\"action\":\"keep\"}"));
        assertThat(kept.get("updated").asInt()).isEqualTo(1);
        assertThat(kept.get("counts").get("dark").asInt()).isZero();
        assertThat(kept.get("curation").get("kept").asInt()).isEqualTo(1);
        assertThat(ServerSecurityIT.json(get("/api/projects/pics/flags?flag=dark&state=kept")).get("images")).hasSize(1);
    }

    @Test
    void thresholdsAreValidatedStoredAndUsed() {
        HttpResponse<String> bad = send("PUT", "/api/projects/pics/checks/thresholds", "{\"blur_never\": \"soft\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(ServerSecurityIT.json(bad).get("error").get("message").asText()).contains("'blur_never' = soft");
        HttpResponse<String> ok = send("PUT", "/api/projects/pics/checks/thresholds", "{\"dark_always\": 0.0, \"dark_never\": 0.0}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ServerSecurityIT.json(ok).get("overrides").get("dark_never").asText()).isEqualTo("0.0");
        assertThat(ServerSecurityIT.json(send("POST", "/api/projects/pics/checks", "{}")).get("counts").get("dark").asInt()).isZero();
    }

    @Test
    void badRequestsAreRefusedWithTheirReason() {
        assertThat(get("/api/projects/pics/flags?flag=fuzzy").statusCode()).isEqualTo(400);
        assertThat(get("/api/projects/pics/flags?state=maybe").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/api/projects/pics/curation", "{\"images\":[],\"action\":\"reject\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> action = send("POST", "/api/projects/pics/curation", "{\"images\":[\"" + "a".repeat(64) + "\"],\"action\":\"burn\"}");
        assertThat(ServerSecurityIT.json(action).get("error").get("message").asText()).contains("'burn'");
        Project other = t.storage.projects().create("other", List.of("a"));
        String foreign = t.context.ingest().ingest(other, "x.png", bytes(samplePngs("flags", 1).get(0)), null).sha256();
        HttpResponse<String> notHere = send("POST", "/api/projects/pics/curation", "{\"images\":[\"" + foreign + "\"],\"action\":\"reject\"}");
        assertThat(notHere.statusCode()).isEqualTo(404);
        assertThat(ServerSecurityIT.json(notHere).get("error").get("message").asText()).contains("not in project 'pics'");
        assertThat(t.storage.curation().curations(other.id())).isEmpty();
        String reviewer = t.token("helper", Scope.REVIEW);
        assertThat(t.send(t.request("/api/projects/pics/flags").header("Authorization", "Bearer " + reviewer).GET()).statusCode())
                .isEqualTo(403);
    }

    @Test
    void theMislabelledCheckAndRelabellingRefuseBadInputNamingIt() {
        HttpResponse<String> oneClass = send("POST", "/api/projects/pics/checks/mislabelled", "{}");
        assertThat(oneClass.statusCode()).isEqualTo(400);
        assertThat(oneClass.body()).contains("project 'pics' has 1 class; finding mislabelled images needs at least 2");
        HttpResponse<String> folds = send("POST", "/api/projects/pics/checks/mislabelled", "{\"folds\": 1}");
        assertThat(folds.statusCode()).isEqualTo(400);
        assertThat(folds.body()).contains("folds 1 is not between 2 and 20");
        HttpResponse<String> epochs = send("POST", "/api/projects/pics/checks/mislabelled", "{\"epochs\": \"many\"}");
        assertThat(epochs.statusCode()).isEqualTo(400);
        assertThat(epochs.body()).contains("field 'epochs' must be a whole number");
        assertThat(ServerSecurityIT.json(get("/api/projects/pics/checks/mislabelled")).get("state").asText()).isEqualTo("idle");
        Project two = t.storage.projects().create("two", List.of("a", "b"));
        List<Path> few = samplePngs("food-drink", 3);
        for (int i = 0; i < few.size(); i++) t.context.ingest().ingest(two, "f" + i + ".png", bytes(few.get(i)), i % 2 == 0 ? "a" : "b");
        HttpResponse<String> tooFew = send("POST", "/api/projects/two/checks/mislabelled", "");
        assertThat(tooFew.statusCode()).as(tooFew.body()).isEqualTo(400);
        assertThat(tooFew.body()).contains("project 'two' has 3 labelled images; 5 folds need at least 10");
        HttpResponse<String> notABoolean = send("POST", "/api/projects/two/checks/mislabelled", "{\"embeddings\": \"yes\"}");
        assertThat(notABoolean.statusCode()).isEqualTo(400);
        assertThat(notABoolean.body()).contains("field 'embeddings' must be true or false");
        HttpResponse<String> noNetwork = send("POST", "/api/projects/two/checks/mislabelled", "{\"embeddings\": true}");
        assertThat(noNetwork.statusCode()).isEqualTo(400);
        assertThat(noNetwork.body()).contains("project 'two' has no embedding network yet");
        assertThat(ServerSecurityIT.json(get("/api/projects/two/checks/mislabelled")).get("embedding_network").isNull()).isTrue();

        String sha = t.storage.images().sourcePaths(project.id()).keySet().iterator().next();
        HttpResponse<String> badClass = send("POST", "/api/projects/pics/relabel",
                "{\"image\": \"" + sha + "\", \"class\": \"<b>zebra</b>\"}");
        assertThat(badClass.statusCode()).isEqualTo(400);
        assertThat(badClass.body()).contains("is not a class of project 'pics'");
        HttpResponse<String> noImage = send("POST", "/api/projects/pics/relabel",
                "{\"image\": \"" + "0".repeat(64) + "\", \"class\": \"a\"}");
        assertThat(noImage.statusCode()).isEqualTo(404);
        HttpResponse<String> notAnId = send("POST", "/api/projects/pics/relabel", "{\"image\": \"x\", \"class\": \"a\"}");
        assertThat(notAnId.statusCode()).isEqualTo(400);
        assertThat(notAnId.body()).contains("'image' must be an image id");
        HttpResponse<String> settled = send("POST", "/api/projects/pics/relabel", "{\"image\": \"" + sha + "\", \"class\": \"a\"}");
        assertThat(settled.statusCode()).isEqualTo(200);
        assertThat(ServerSecurityIT.json(settled).get("cleared").asBoolean()).isFalse(); // it had no such flag

        String reviewer = t.token("helper", Scope.REVIEW);
        for (String path : List.of("/api/projects/pics/checks/mislabelled", "/api/projects/pics/relabel")) {
            assertThat(t.send(t.request(path).header("Authorization", "Bearer " + reviewer).header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode()).as(path).isEqualTo(403);
        }
    }
}
