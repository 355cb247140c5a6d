package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.account.Scope;
import dev.fovea.core.tuning.NewStudy;
import dev.fovea.core.tuning.Pruner;
import dev.fovea.core.tuning.RandomSampler;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyRunner;
import dev.fovea.core.tuning.SyntheticObjective;
import dev.fovea.core.tuning.SyntheticRuns;
import dev.fovea.core.tuning.SyntheticTrials;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/studies}: studies and their trials over HTTP, paged; admin-only; pause, unpause, stop. */
class StudyRoutesIT {
    private static final int TRIALS = 230;
    @TempDir static Path dir;
    static TestServer t;
    static String admin, reviewer;

    @BeforeAll
    static void runAStudy() throws Exception {
        t = new TestServer(dir, Map.of());
        admin = t.token("boss", Scope.ADMIN);
        reviewer = t.token("helper", Scope.REVIEW);
        Study s = t.storage.studies().create(new NewStudy("paged", "synthetic:branin", null, null, null, "random", "none",
                4, new Study.Budget(TRIALS, null, null), 1, Map.of("synthetic_epochs", "2"), null));
        StudyRunner runner = new StudyRunner(t.storage.studies(), Clock.systemUTC(), StudyRunner.Identity.thisProcess(null),
                Duration.ofSeconds(30), Duration.ofMillis(20));
        runner.run(s, new StudyRunner.Plan(SyntheticObjective.BRANIN.space(), new RandomSampler(), Pruner.NONE,
                new SyntheticTrials(new SyntheticRuns(t.storage.runs(), Clock.systemUTC()), 2, 0, Map.of()), 2),
                new StudyRunner.Events() {});
        t.storage.studies().create(new NewStudy("waiting", "synthetic:hartmann6", null, null, null, "tpe", "asha",
                5, new Study.Budget(10, null, null), 1, Map.of(), null));
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    private HttpResponse<String> call(String method, String path, String token) {
        HttpRequest.Builder r = t.request(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) r.header("Authorization", "Bearer " + token);
        return t.send(r);
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ServerSecurityIT.json(r);
    }

    @Test
    void workersAreListedForAdminsOnlyWithTheirStateNow() {
        java.time.Instant beat = t.clock.instant(); // the server judges with its own clock
        t.storage.workers().insert(new dev.fovea.core.worker.Worker("box-1", "box", 7, 3, java.util.List.of("cpu"), "1.2",
                dev.fovea.core.worker.Worker.LIVE, null, null, null, 0, java.util.List.of()), beat);
        t.storage.workers().insert(new dev.fovea.core.worker.Worker("old-1", "attic", 8, 1, java.util.List.of(), "1.1",
                dev.fovea.core.worker.Worker.LIVE, null, null, null, 0, java.util.List.of()), beat.minusSeconds(3600));
        JsonNode workers = ok(call("GET", "/api/workers", admin)).get("workers");
        assertThat(workers).hasSize(2);
        JsonNode box = workers.get(0);
        assertThat(box.get("name").asText()).isEqualTo("box-1");
        assertThat(box.get("host").asText()).isEqualTo("box");
        assertThat(box.get("slots").asInt()).isEqualTo(3);
        assertThat(box.get("tags").get(0).asText()).isEqualTo("cpu");
        assertThat(box.get("running").isArray()).isTrue();
        assertThat(box.get("version").asText()).isEqualTo("1.2");
        assertThat(box.get("state").asText()).isEqualTo("live");
        assertThat(box.get("last_heartbeat").asText()).isNotBlank();
        assertThat(workers.get(1).get("state").asText()).as("silent for an hour").isEqualTo("lost");
        assertThat(call("GET", "/api/workers", reviewer).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/workers", null).statusCode()).isEqualTo(401);
    }

    @Test
    void listsAStudyAndPagesItsTrials() {
        JsonNode list = ok(call("GET", "/api/studies", admin)).get("studies");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("name").asText()).as("newest first").isEqualTo("waiting");
        JsonNode one = ok(call("GET", "/api/studies/paged", admin));
        assertThat(one.get("state").asText()).isEqualTo("finished");
        assertThat(one.get("trials").get("complete").asInt()).isEqualTo(TRIALS);
        assertThat(one.get("epochs_used").asInt()).isEqualTo(2 * TRIALS);
        assertThat(one.get("best").get("value").asDouble()).isLessThan(5.0);

        Set<Integer> seen = new HashSet<>();
        String after = "";
        int pages = 0;
        for (;;) {
            JsonNode page = ok(call("GET", "/api/studies/paged/trials" + after, admin));
            pages++;
            page.get("trials").forEach(tr -> assertThat(seen.add(tr.get("number").asInt())).isTrue());
            if (page.get("next_after").isNull()) break;
            after = "?after=" + page.get("next_after").asInt();
        }
        assertThat(pages).isEqualTo(2);
        assertThat(seen).hasSize(TRIALS);
        JsonNode tail = ok(call("GET", "/api/studies/paged/trials?after=" + (TRIALS - 3), admin));
        assertThat(tail.get("trials")).extracting(n -> n.get("number").asInt()).containsExactly(TRIALS - 2, TRIALS - 1);
        assertThat(ok(call("GET", "/api/studies/paged/trials?after=" + TRIALS, admin)).get("trials")).isEmpty();
    }

    @Test
    void importanceRatesBothOfBraninsVariables() {
        JsonNode doc = ok(call("GET", "/api/studies/paged/importance", admin));
        assertThat(doc.get("study").asText()).isEqualTo("paged");
        assertThat(doc.get("complete").asInt()).isEqualTo(TRIALS);
        JsonNode importance = doc.get("importance");
        assertThat(importance.size()).isEqualTo(2);
        assertThat(importance.get("x1").asDouble() + importance.get("x2").asDouble()).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-9));
        // Branin varies far more along x2's range than x1's over its usual domain (x2 up to 15 enters squared).
        assertThat(importance.fieldNames().next()).isEqualTo("x2");
        assertThat(ok(call("GET", "/api/studies/waiting/importance", admin)).get("importance").size()).isZero();
        assertThat(call("GET", "/api/studies/paged/importance", reviewer).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/studies/nowhere/importance", admin).statusCode()).isEqualTo(404);
    }

    @Test
    void pauseUnpauseAndStopMoveTheStudyAndRefuseWhatCannotBe() {
        assertThat(ok(call("POST", "/api/studies/waiting/pause", admin)).get("state").asText()).isEqualTo("paused");
        assertThat(call("POST", "/api/studies/waiting/pause", admin).statusCode()).isEqualTo(409);
        assertThat(ok(call("POST", "/api/studies/waiting/unpause", admin)).get("state").asText()).isEqualTo("running");
        assertThat(ok(call("POST", "/api/studies/waiting/stop?now=true", admin)).get("state").asText()).isEqualTo("stopped");
        HttpResponse<String> finished = call("POST", "/api/studies/paged/pause", admin);
        assertThat(finished.statusCode()).isEqualTo(409);
        assertThat(finished.body()).contains("finished");
    }

    @Test
    void onlyAnAdminSeesStudiesAndBadInputIsNamed() {
        assertThat(call("GET", "/api/studies", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/studies", reviewer).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/studies/paged/trials", reviewer).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/studies/paged/stop", reviewer).statusCode()).isEqualTo(403);
        HttpResponse<String> unknown = call("GET", "/api/studies/no-such-study", admin);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no-such-study");
        HttpResponse<String> bad = call("GET", "/api/studies/paged/trials?after=ten", admin);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("'ten'");
    }
}
