package dev.fovea.app.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir Path cwd;
    Path home;
    Map<String, String> env = new HashMap<>();
    Map<String, String> flags = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(cwd.resolve("home"));
    }

    private Settings load() {
        return SettingsLoader.load(flags, env, cwd, home);
    }

    private void file(String yaml) throws IOException {
        Path ws = Files.createDirectories(cwd.resolve("fovea-data"));
        Files.writeString(ws.resolve("fovea.yaml"), yaml);
    }

    @Test
    void defaultsAreAWorkspaceInTheWorkingDirectoryAndACacheInHome() {
        Settings s = load();
        assertThat(s.workspace()).isEqualTo(cwd.resolve("fovea-data"));
        assertThat(s.embedded()).isTrue();
        assertThat(s.cache()).isEqualTo(home.resolve(".cache/fovea"));
        assertThat(s.importLimits().maxPixels()).isEqualTo(100_000_000L);
        assertThat(s.origins().get("import.max_pixels")).isEqualTo("default");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws IOException {
        file("import:\n  max_pixels: 3000\n  max_file_bytes: 4000\n  threads: 3\ndb: jdbc:postgresql://file/db\n");
        env.put("FOVEA_IMPORT_MAX_FILE_BYTES", "5000");
        env.put("FOVEA_DB", "jdbc:postgresql://env/db");
        flags.put("db", "jdbc:postgresql://flag/db");
        Settings s = load();
        assertThat(s.importLimits().maxPixels()).isEqualTo(3000);          // file over default
        assertThat(s.importLimits().maxFileBytes()).isEqualTo(5000);       // environment over file
        assertThat(s.db()).hasValue("jdbc:postgresql://flag/db");          // flag over environment
        assertThat(s.importLimits().threads()).isEqualTo(3);
        assertThat(s.origins()).containsEntry("import.max_pixels", cwd.resolve("fovea-data/fovea.yaml").toString())
                .containsEntry("import.max_file_bytes", "environment variable FOVEA_IMPORT_MAX_FILE_BYTES")
                .containsEntry("db", "command line");
    }

    @Test
    void workspaceFromEnvironmentOrFlagDecidesWhichFileIsRead() throws IOException {
        Path other = Files.createDirectories(cwd.resolve("other"));
        Files.writeString(other.resolve("fovea.yaml"), "import:\n  max_pixels: 77\n");
        env.put("FOVEA_WORKSPACE", "other");
        assertThat(load().importLimits().maxPixels()).isEqualTo(77);
        flags.put("workspace", "fovea-data");
        assertThat(load().workspace()).isEqualTo(cwd.resolve("fovea-data"));
        assertThat(load().importLimits().maxPixels()).isEqualTo(100_000_000L);
    }

    @Test
    void withASharedDatabaseTheCacheIsInHomeUnlessSaidOtherwise() {
        flags.put("db", "jdbc:postgresql://db/fovea");
        assertThat(load().cache()).isEqualTo(home.resolve(".cache/fovea"));
        assertThat(load().blobCache()).isEqualTo(home.resolve(".cache/fovea/blobs"));
        flags.put("cache", "mycache");
        assertThat(load().cache()).isEqualTo(cwd.resolve("mycache"));
    }

    @Test
    void unknownKeysAndBadValuesNameTheKeyTheValueAndTheSource() throws IOException {
        file("import:\n  max_pixel: 5\n");
        assertThatThrownBy(this::load).isInstanceOf(FoveaException.class)
                .hasMessageContaining("unknown setting 'import.max_pixel'").hasMessageContaining("fovea.yaml");
        file("import:\n  max_pixels: lots\n");
        assertThatThrownBy(this::load).hasMessageContaining("'import.max_pixels' = 'lots'")
                .hasMessageContaining("fovea.yaml").hasMessageContaining("not a whole number");
        file("");
        env.put("FOVEA_IMPORT_THREADS", "0");
        assertThatThrownBy(this::load).hasMessageContaining("'import.threads' = '0'")
                .hasMessageContaining("environment variable FOVEA_IMPORT_THREADS");
        env.clear();
        flags.put("db", "postgres://x");
        assertThatThrownBy(this::load).hasMessageContaining("is not a JDBC URL");
        flags.clear();
        flags.put("colour", "blue");
        assertThatThrownBy(this::load).hasMessageContaining("unknown setting 'colour' in the command line");
    }

    @Test
    void brokenYamlIsReportedWithTheFile() throws IOException {
        file("import: [unclosed\n");
        assertThatThrownBy(this::load).hasMessageContaining("is not valid YAML");
        file("workspace: elsewhere\n");
        assertThatThrownBy(this::load).hasMessageContaining("'workspace' cannot be set in");
    }

    @Test
    void theNewLimitsRefuseBadValuesNamingTheSetting() {
        for (var bad : java.util.List.of(Map.entry("server.body_timeout_ms", "abc"),
                Map.entry("import.decode_budget_pixels", "-5"), Map.entry("server.body_timeout_ms", "0"))) {
            flags.clear();
            flags.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(this::load).as(bad.toString()).isInstanceOf(FoveaException.class)
                    .hasMessageContaining("'" + bad.getKey() + "' = '" + bad.getValue() + "'");
        }
        flags.clear();
        flags.put("import.decode_budget_pixels", "50000000");
        assertThat(load().importLimits().decodeBudget()).isNotNull();
    }

    @Test
    void servingThreadsDefaultToTheRuntimesChoiceAndRefuseNegativeOrHugeCounts() {
        assertThat(load().serving().batching().threads()).isZero();
        env.put("FOVEA_SERVING_THREADS", "1");
        assertThat(load().serving().batching().threads()).isEqualTo(1);
        for (String bad : java.util.List.of("-1", "1025", "two")) {
            flags.put("serving.threads", bad);
            assertThatThrownBy(this::load).as(bad).isInstanceOf(FoveaException.class)
                    .hasMessageContaining("'serving.threads' = '" + bad + "'");
        }
    }

    @Test
    void workerAndDatabaseTimeoutsRefuseWhatIsNotADurationOfASecondOrMore() {
        for (var bad : java.util.List.of(Map.entry("worker.heartbeat_timeout", "soon"),
                Map.entry("worker.heartbeat_timeout", "500ms"), Map.entry("db_connect_timeout", "0s"),
                Map.entry("db_connect_timeout", "10"))) {
            flags.clear();
            flags.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(this::load).as(bad.toString()).isInstanceOf(FoveaException.class)
                    .hasMessageContaining(bad.getKey()).hasMessageContaining("'" + bad.getValue() + "'");
        }
        flags.clear();
        flags.put("worker.heartbeat_timeout", "4s");
        flags.put("db_connect_timeout", "2s");
        assertThat(load().values()).containsEntry("worker.heartbeat_timeout", "4s").containsEntry("db_connect_timeout", "2s");
    }
}
