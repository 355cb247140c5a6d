package dev.fovea.app.server;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The review API's queue guarantees and its refusals of bad input. */
class ReviewRoutesIT {
    @TempDir Path dir;
    TestServer t;
    Project project;
    String reviewer;

    @BeforeEach
    void start() {
        t = new TestServer(dir, Map.of());
        project = t.storage.projects().create("pets", List.of("cat", "dog"));
        for (Path png : samplePngs("animals-nature", 12)) t.context.ingest().ingest(project, png.getFileName().toString(), bytes(png), null);
        t.context.reviews().addReviewer(project, "helper", 1200, "EUR");
        reviewer = t.token("helper", Scope.REVIEW);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private HttpResponse<String> call(String token, String method, String path, String json) {
        HttpRequest.Builder b = t.request(path).header("Authorization", "Bearer " + token);
        if (json == null) return t.send(b.method(method, HttpRequest.BodyPublishers.noBody()));
        return t.send(b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)));
    }

    private List<String> queue(String token, int count) {
        JsonNode images = ServerSecurityIT.json(call(token, "GET", "/api/projects/pets/review/queue?count=" + count, null)).get("images");
        List<String> ids = new java.util.ArrayList<>();
        images.forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    private String review(String image, String decision, String cls, UUID clientId) {
        return "{\"client_id\":\"" + clientId + "\",\"image\":\"" + image + "\",\"decision\":\"" + decision + "\""
                + (cls == null ? "" : ",\"class\":\"" + cls + "\"") + ",\"duration_ms\":1500}";
    }

    @Test
    void twoReviewersAtOnceNeverGetTheSameSingleReviewImageAndClaimsExpire() {
        t.context.accounts().addUser("second", dev.fovea.core.account.Role.REVIEWER);
        t.context.reviews().addReviewer(project, "second", 1000, "EUR");
        String other = t.token("second", Scope.REVIEW);
        List<String> first = queue(reviewer, 8);
        List<String> second = queue(other, 8);
        assertThat(first).hasSize(8);
        assertThat(second).hasSize(4).doesNotContainAnyElementsOf(first);
        // Coming back continues with the same images; after the claim time, they go to others.
        assertThat(queue(reviewer, 8)).containsExactlyElementsOf(first);
        t.clock.advance(Duration.ofMinutes(16));
        assertThat(queue(other, 12)).containsAll(first.subList(0, 4));
    }

    @Test
    void badDecisionsAreRefusedAndADoubleSubmitIsStoredOnce() {
        String image = queue(reviewer, 1).get(0);
        UUID clientId = UUID.randomUUID();
        HttpResponse<String> ok = call(reviewer, "POST", "/api/projects/pets/reviews", review(image, "suitable", "cat", clientId));
        assertThat(ok.statusCode()).isEqualTo(201);
        HttpResponse<String> again = call(reviewer, "POST", "/api/projects/pets/reviews", review(image, "suitable", "cat", clientId));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(ServerSecurityIT.json(again).get("repeated").asBoolean()).isTrue();
        assertThat(t.storage.reviews().reviews(project.id())).hasSize(1);

        HttpResponse<String> secondOpinion = call(reviewer, "POST", "/api/projects/pets/reviews",
                review(image, "unsuitable", null, UUID.randomUUID()));
        assertThat(secondOpinion.statusCode()).isEqualTo(409);
        assertThat(ServerSecurityIT.json(secondOpinion).get("error").get("message").asText()).contains("undo that decision first");

        String next = queue(reviewer, 2).get(0);
        HttpResponse<String> noClass = call(reviewer, "POST", "/api/projects/pets/reviews", review(next, "suitable", "horse", UUID.randomUUID()));
        assertThat(noClass.statusCode()).isEqualTo(400);
        assertThat(ServerSecurityIT.json(noClass).get("error").get("message").asText()).contains("'horse' is not a class of project 'pets'");

        Project other = t.storage.projects().create("other", List.of("cat"));
        String foreign = t.context.ingest().ingest(other, "x.png", bytes(samplePngs("flags", 1).get(0)), null).sha256();
        HttpResponse<String> wrongProject = call(reviewer, "POST", "/api/projects/pets/reviews", review(foreign, "suitable", "cat", UUID.randomUUID()));
        assertThat(wrongProject.statusCode()).isEqualTo(404);
        assertThat(ServerSecurityIT.json(wrongProject).get("error").get("message").asText()).contains("project 'pets' has no image");

        HttpResponse<String> badClientId = call(reviewer, "POST", "/api/projects/pets/reviews", "{\"client_id\":\"nope\",\"image\":\"" + next + "\",\"decision\":\"skip\"}");
        assertThat(badClientId.statusCode()).isEqualTo(400);
        HttpResponse<String> badDecision = call(reviewer, "POST", "/api/projects/pets/reviews", review(next, "maybe", null, UUID.randomUUID()));
        assertThat(ServerSecurityIT.json(badDecision).get("error").get("message").asText()).contains("'maybe'");
        assertThat(t.storage.reviews().reviews(project.id())).hasSize(1);
    }

    @Test
    void undoFreesTheDecisionAndTheReviewerRedoesIt() {
        String image = queue(reviewer, 1).get(0);
        call(reviewer, "POST", "/api/projects/pets/reviews", review(image, "suitable", "dog", UUID.randomUUID()));
        HttpResponse<String> undone = call(reviewer, "POST", "/api/projects/pets/reviews/undo", null);
        assertThat(ServerSecurityIT.json(undone).get("image").asText()).isEqualTo(image);
        assertThat(call(reviewer, "POST", "/api/projects/pets/reviews", review(image, "suitable", "cat", UUID.randomUUID())).statusCode())
                .isEqualTo(201);
        assertThat(call(reviewer, "POST", "/api/projects/pets/reviews/undo", null).statusCode()).isEqualTo(200);
        assertThat(call(reviewer, "POST", "/api/projects/pets/reviews/undo", null).statusCode()).isEqualTo(404);
    }

    @Test
    void reviewersSeeOnlyTheirOwnProjectsAndNoAdminFigures() {
        t.storage.projects().create("secret", List.of("a"));
        HttpResponse<String> notMine = call(reviewer, "GET", "/api/projects/secret/review/queue", null);
        assertThat(notMine.statusCode()).isEqualTo(403);
        assertThat(ServerSecurityIT.json(notMine).get("error").get("message").asText()).contains("not a reviewer of project 'secret'");
        for (String path : List.of("/api/projects/pets/review/stats", "/api/projects/pets/review/pay.csv",
                "/api/projects/pets/reviewers", "/api/projects/pets/review/settings")) {
            assertThat(call(reviewer, "GET", path, null).statusCode()).as(path).isEqualTo(403);
        }
        HttpResponse<String> settings = call(reviewer, "PUT", "/api/projects/pets/review/settings", "{\"criteria\":\"mine now\"}");
        assertThat(settings.statusCode()).isEqualTo(403);
    }

    @Test
    void anExpiredSessionCannotReview() {
        var login = t.send(t.request("/api/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"helper\",\"password\":\"" + t.reviewer.password() + "\"}")));
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        t.clock.advance(Duration.ofHours(3));
        HttpResponse<String> r = t.send(t.request("/api/projects/pets/review/queue").header("Cookie", cookie).GET());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(ServerSecurityIT.json(r).get("error").get("message").asText()).contains("log in again");
    }

    @Test
    void payReportAndSettingsValidation() {
        String admin = t.token("boss", Scope.ADMIN);
        HttpResponse<String> badKey = call(admin, "PUT", "/api/projects/pets/review/settings", "{\"class_keys\":{\"cat\":\"x\"}}");
        assertThat(badKey.statusCode()).isEqualTo(400);
        assertThat(ServerSecurityIT.json(badKey).get("error").get("message").asText()).contains("key 'x' for class 'cat'");
        HttpResponse<String> badClass = call(admin, "PUT", "/api/projects/pets/review/settings", "{\"class_keys\":{\"cow\":\"c\"}}");
        assertThat(ServerSecurityIT.json(badClass).get("error").get("message").asText()).contains("'cow'");
        HttpResponse<String> badCount = call(admin, "PUT", "/api/projects/pets/review/settings", "{\"reviews_per_image\":3}");
        assertThat(badCount.statusCode()).isEqualTo(400);
        for (String image : queue(reviewer, 3)) {
            t.clock.advance(Duration.ofSeconds(10));
            call(reviewer, "POST", "/api/projects/pets/reviews", review(image, "suitable", "cat", UUID.randomUUID()));
        }
        HttpResponse<String> csv = call(admin, "GET", "/api/projects/pets/review/pay.csv", null);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        // 1.5 s for the first image on screen, then two gaps of 10 s: 21.5 s at 12.00 EUR/hour is 0.07 EUR.
        assertThat(csv.body()).isEqualTo("reviewer,day,reviews,skips,undone,active_minutes,images_per_hour,hourly_rate,currency,pay\n"
                + "helper,2026-11-29,3,0,0,0.36,502.3,12.00,EUR,0.07\n");
    }
}
