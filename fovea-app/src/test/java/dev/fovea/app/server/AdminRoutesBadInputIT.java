package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong input to the admin routes for projects, datasets, reviewers, gold images and settlements: a clear 4xx, nothing written. */
class AdminRoutesBadInputIT {
    @TempDir Path dir;
    TestServer t;
    String admin;
    Project project;
    String image;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        admin = t.token("boss", Scope.ADMIN);
        project = t.storage.projects().create("birds", List.of("wren", "robin"));
        image = t.context.ingest().ingest(project, "a.png", bytes(samplePngs("animals-nature", 1).get(0)), "wren").sha256();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private HttpResponse<String> call(String method, String path, String json) {
        return t.send(t.request(path).header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    private static void refused(HttpResponse<String> r, int status, String messagePart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(ServerSecurityIT.json(r).get("error").get("message").asText()).contains(messagePart);
    }

    @Test
    void projects() {
        refused(call("POST", "/api/projects", "{\"name\":\"Bad Name\",\"classes\":[\"a\"]}"), 400, "'Bad Name'");
        refused(call("POST", "/api/projects", "{\"name\":\"ok\",\"classes\":[]}"), 400, "non-empty array");
        refused(call("POST", "/api/projects", "{\"name\":\"ok\",\"classes\":[\"a,b\"]}"), 400, "without commas");
        refused(call("POST", "/api/projects", "{\"name\":\"birds\",\"classes\":[\"x\"]}"), 409, "already exists");
        assertThat(t.storage.projects().list()).extracting(Project::name).containsExactly("birds");
        assertThat(t.storage.projects().require("birds").classes()).containsExactly("wren", "robin");
    }

    @Test
    void datasets() {
        refused(call("GET", "/api/projects/birds/datasets/abc", null), 400, "'abc' is not a number");
        refused(call("GET", "/api/projects/birds/datasets/7", null), 404, "no dataset version 7");
        refused(call("POST", "/api/projects/birds/datasets", "{\"validation\":0.7,\"test\":0.5}"), 400, "add up to less than 1");
        refused(call("POST", "/api/projects/birds/datasets", "{\"validation\":"), 400, "not valid JSON");
        assertThat(t.storage.datasets().versions(project.id())).isEmpty();
        assertThat(call("POST", "/api/projects/birds/datasets", "{}").statusCode()).isEqualTo(201);
        assertThat(call("POST", "/api/projects/birds/datasets", "{}").statusCode()).isEqualTo(200); // unchanged data
        assertThat(t.storage.datasets().versions(project.id())).hasSize(1);
    }

    @Test
    void reviewersGoldAndSettlements() {
        refused(call("POST", "/api/projects/birds/reviewers", "{\"user\":\"ghost\",\"hourly_rate\":10}"), 404, "'ghost' does not exist");
        refused(call("POST", "/api/projects/birds/reviewers", "{\"user\":\"helper\",\"hourly_rate\":\"ten\"}"), 400, "must be a number");
        refused(call("POST", "/api/projects/birds/reviewers", "{\"user\":\"helper\",\"hourly_rate\":10,\"currency\":\"euro\"}"), 400, "'euro'");
        refused(call("POST", "/api/projects/birds/reviewers/helper/exclude", null), 404, "not a reviewer of project 'birds'");
        assertThat(t.context.reviews().reviewers(project)).isEmpty();

        refused(call("POST", "/api/projects/birds/review/gold", "{\"image\":\"" + "e".repeat(64) + "\",\"decision\":\"suitable\",\"class\":\"wren\"}"),
                404, "has no image");
        refused(call("POST", "/api/projects/birds/review/gold", "{\"image\":\"" + image + "\",\"decision\":\"skip\"}"), 400, "suitable or unsuitable");
        refused(call("POST", "/api/projects/birds/review/gold", "{\"image\":\"" + image + "\",\"decision\":\"suitable\",\"class\":\"eagle\"}"),
                400, "'eagle'");
        assertThat(t.storage.reviews().gold(project.id())).isEmpty();

        refused(call("POST", "/api/projects/birds/review/settle", "{\"image\":\"" + image + "\",\"decision\":\"maybe\"}"), 400, "'maybe'");
        refused(call("POST", "/api/projects/birds/review/settle", "{\"image\":\"" + image + "\",\"decision\":\"suitable\"}"), 400, "'null'");
        assertThat(t.storage.reviews().settlements(project.id())).isEmpty();
        assertThat(call("POST", "/api/projects/birds/review/settle", "{\"image\":\"" + image + "\",\"decision\":\"suitable\",\"class\":\"robin\"}")
                .statusCode()).isEqualTo(204);
    }

    private HttpResponse<String> upload(String path, byte[] body) {
        return t.send(t.request(path).header("Authorization", "Bearer " + admin).header("X-Filename", "batch.zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static byte[] zip(Map<String, byte[]> entries) throws java.io.IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void zipImportsAndReviewerChanges() throws Exception {
        long before = t.storage.images().count(project.id());
        HttpResponse<String> notAZip = upload("/api/projects/birds/imports", "just text".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(notAZip.statusCode()).as(notAZip.body()).isBetween(400, 499);
        assertThat(ServerSecurityIT.json(notAZip).get("error").get("message").asText()).contains("batch.zip");
        byte[] png = bytes(samplePngs("animals-nature", 2).get(1));
        byte[] other = bytes(samplePngs("animals-nature", 3).get(2));
        // Two folders (one folder alone would be taken for the zip's wrapper, its files left unlabelled).
        HttpResponse<String> unknownClass = upload("/api/projects/birds/imports",
                zip(Map.of("eagle/b.png", png, "wren/c.png", other)));
        assertThat(unknownClass.statusCode()).as(unknownClass.body()).isEqualTo(400);
        assertThat(ServerSecurityIT.json(unknownClass).get("error").get("message").asText()).contains("eagle");
        HttpResponse<String> unsafe = upload("/api/projects/birds/imports", zip(Map.of("../escape.png", png)));
        assertThat(unsafe.statusCode()).as(unsafe.body()).isEqualTo(200);
        assertThat(unsafe.body()).contains("unsafe_path");
        assertThat(t.storage.images().count(project.id())).isEqualTo(before);
        refused(upload("/api/projects/nope/imports", zip(Map.of("wren/b.png", png))), 404, "nope");

        refused(call("PUT", "/api/projects/birds/reviewers/ghost", "{\"hourly_rate\":10}"), 404, "ghost");
        refused(call("DELETE", "/api/projects/birds/reviewers/ghost", null), 404, "ghost");
        t.context.accounts().addUser("ann", dev.fovea.core.account.Role.REVIEWER);
        t.context.reviews().addReviewer(project, "ann", 1000, "EUR");
        refused(call("PUT", "/api/projects/birds/reviewers/ann", "{\"hourly_rate\":-5}"), 400, "-5");
        refused(call("PUT", "/api/projects/birds/reviewers/ann", "{\"hourly_rate\":\"lots\"}"), 400, "hourly_rate");
        assertThat(t.context.reviews().reviewers(project)).singleElement()
                .satisfies(r -> assertThat(r.hourlyRateCents()).isEqualTo(1000));
    }
}
