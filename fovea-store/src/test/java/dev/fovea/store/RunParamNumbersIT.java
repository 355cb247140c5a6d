package dev.fovea.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.run.RunQuery;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration 14 on a workspace written before it: params stored at schema 13 (value_number empty) get their numbers,
 * text stays text, odd texts that only look like numbers to a lax parser stay text, and the old runs then sort by
 * a param as numbers.
 */
class RunParamNumbersIT {
    @TempDir Path ws;

    @Test
    void paramsWrittenBeforeVersion14GetTheirNumbersAndSortAsNumbers() throws Exception {
        String url = Storage.embeddedUrl(ws);
        java.nio.file.Files.createDirectories(ws.resolve("db"));
        Flyway.configure().dataSource(url, "", "").locations("classpath:db/migration").target("13").load().migrate();
        UUID project = UUID.randomUUID();
        Map<Long, String> lr = Map.of(1L, "0.0105", 2L, "0.002", 3L, "NaN", 4L, "adamw", 5L, "1e-4");
        try (Connection c = DriverManager.getConnection(url, "", ""); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO project (id, name, created_at, version) VALUES ('" + project + "', 'old', CURRENT_TIMESTAMP, 0)");
            for (var e : lr.entrySet()) {
                st.executeUpdate("INSERT INTO run (id, project_id, dataset_version, dataset_hash, status, created_at, heartbeat_at, version)"
                        + " VALUES (" + e.getKey() + ", '" + project + "', 1, '" + "a".repeat(64) + "', 'finished', CURRENT_TIMESTAMP,"
                        + " CURRENT_TIMESTAMP, 0)");
                st.executeUpdate("INSERT INTO run_param (run_id, position, name, value_text) VALUES (" + e.getKey() + ", 0, 'lr', '"
                        + e.getValue() + "')");
            }
            st.execute("ALTER SEQUENCE run_id_seq RESTART WITH 6");
        }
        try (Storage s = Storage.embedded(ws, Clock.systemUTC())) {
            Map<Long, Double> numbers = new HashMap<>();
            try (Connection c = DriverManager.getConnection(url, "", ""); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT run_id, value_number FROM run_param")) {
                while (rs.next()) numbers.put(rs.getLong(1), rs.getObject(2) == null ? null : rs.getDouble(2));
            }
            assertThat(numbers).containsEntry(1L, 0.0105).containsEntry(2L, 0.002).containsEntry(5L, 1e-4)
                    .containsEntry(3L, null).containsEntry(4L, null);
            List<Long> byLr = s.runs().search(new RunQuery(project, null, null, null, null, null, List.of(),
                    RunQuery.Sort.parse("params.lr", null, false), 10, 0)).runs().stream().map(r -> r.id()).toList();
            // Numbers first in numeric order (text order would put 0.0105 before 0.002), then the texts.
            assertThat(byLr.subList(0, 3)).containsExactly(5L, 2L, 1L);
            assertThat(byLr.subList(3, 5)).containsExactlyInAnyOrder(3L, 4L);
        }
    }
}
