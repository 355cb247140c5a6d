package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.core.account.Scope;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, finding 4: the access log's file setting (the default, stderr, is checked on a real server process
 * in {@code ServerProcessIT}).
 */
class AccessLogIT {
    @TempDir Path dir;

    @Test
    void serverAccessLogSendsOneJsonLinePerRequestToAFileWithoutSecrets_finding4() throws Exception {
        Path log = dir.resolve("logs/access.jsonl");
        String token, password;
        try (TestServer t = new TestServer(dir, Map.of("server.access_log", log.toString()))) {
            token = t.token("boss", Scope.ADMIN);
            password = t.admin.password();
            t.send(t.request("/api/health").GET());
            t.send(t.request("/api/projects?token=" + token).header("Authorization", "Bearer " + token).GET());
            t.send(t.request("/api/login").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"boss\",\"password\":\"" + password + "\"}")));
            t.send(t.request("/api/projects").header("Cookie", "fovea_session=not-a-real-session-value").GET());
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) lines.add(new ObjectMapper().readTree(line));
        assertThat(lines).hasSize(4);
        for (JsonNode l : lines) {
            for (String field : List.of("time", "method", "path", "status", "ms", "user")) {
                assertThat(l.has(field)).as(field + " in " + l).isTrue();
            }
        }
        assertThat(lines.get(1).get("user").asText()).isEqualTo("boss");
        assertThat(lines.get(1).get("path").asText()).isEqualTo("/api/projects");
        assertThat(lines.get(2).get("status").asInt()).isEqualTo(200);
        assertThat(lines.get(3).get("status").asInt()).isEqualTo(401);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
        String text = Files.readString(log);
        assertThat(text).doesNotContain(token).doesNotContain("token=").doesNotContain(password)
                .doesNotContain("not-a-real-session-value");
    }

    @Test
    void theNewSettingsHaveTheirDefaults_findings4_11_13() {
        var s = dev.fovea.app.settings.SettingsLoader.load(Map.of("workspace", dir.resolve("ws").toString()), Map.of(), dir, dir);
        assertThat(s.server().accessLog()).isEqualTo("stderr");
        assertThat(s.server().bodyTimeout().toMillis()).isEqualTo(10_000);
        assertThat(s.importLimits().decodeBudget().capacity()).isEqualTo(200_000_000L);
        var off = dev.fovea.app.settings.SettingsLoader.load(Map.of("workspace", dir.resolve("ws").toString(),
                "server.access_log", "off"), Map.of(), dir, dir);
        assertThat(off.server().accessLog()).isEqualTo("off");
    }
}
