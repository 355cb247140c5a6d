package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.core.testing.FashionMnist;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea model} (register, list, show, alias, export, import into another workspace) and {@code fovea serve}
 * as its own process, through the real CLI.
 */
class ModelCommandsIT {
    @TempDir Path a;
    @TempDir Path b;

    static CliRun fovea(Path cwd, String... args) {
        return TrainingCommandsIT.fovea(cwd, args);
    }

    @Test
    void registersExportsImportsAndServes() throws Exception {
        TrainingCommandsIT.importFashion(a, 40, Set.of(1, 8));
        assertThat(fovea(a, "dataset", "freeze", "--project", "fm").exitCode()).isZero();
        CliRun trained = fovea(a, TrainingCommandsIT.concat(new String[] {"train", "--project", "fm", "--dataset", "1", "--epochs", "2", "--json"},
                TrainingCommandsIT.FAST));
        assertThat(trained.exitCode()).as(trained.stderr()).isZero();
        long run = trained.json().get("run").asLong();

        CliRun registered = fovea(a, "model", "register", "--run", Long.toString(run), "--name", "fm", "--alias", "production", "--json");
        assertThat(registered.exitCode()).as(registered.stderr()).isZero();
        assertThat(registered.json().get("version").asInt()).isEqualTo(1);
        assertThat(registered.json().get("aliases").toString()).isEqualTo("[\"production\"]");
        assertThat(fovea(a, "model", "register", "--run", Long.toString(run), "--name", "fm", "--json").json().get("version").asInt()).isEqualTo(2);
        assertThat(fovea(a, "model", "alias", "fm", "staging", "2").exitCode()).isZero();
        JsonNode shown = fovea(a, "model", "show", "fm", "--json").json();
        assertThat(shown.get("aliases").toString()).isEqualTo("{\"production\":1,\"staging\":2}");
        assertThat(fovea(a, "model", "show", "fm@staging", "--json").json().get("version").asInt()).isEqualTo(2);
        assertThat(fovea(a, "model", "list", "--json").json().get("models")).hasSize(1);

        CliRun missing = fovea(a, "model", "alias", "fm", "production", "9");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("no version 9");
        CliRun unknown = fovea(a, "model", "show", "nope:1");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("'nope' does not exist");

        // Wrong input to the other new entry points: a clear error, exit 2, nothing written.
        long pollersBefore = aliasPollers();
        CliRun serveUnknown = fovea(a, "serve", "--model", "nope@production", "--port", "0");
        assertThat(serveUnknown.exitCode()).isEqualTo(2);
        assertThat(serveUnknown.stderr()).contains("'nope' does not exist");
        // and it left no alias poller behind, reading the closed database every second for ever
        for (int i = 0; i < 40 && aliasPollers() > pollersBefore; i++) Thread.sleep(50);
        assertThat(aliasPollers()).isLessThanOrEqualTo(pollersBefore);
        CliRun badSetting = fovea(a, "-s", "serving.max_batch=0", "serve", "--model", "fm");
        assertThat(badSetting.exitCode()).isEqualTo(2);
        assertThat(badSetting.stderr()).contains("serving.max_batch");
        CliRun noFolder = fovea(a, "predict", "--run", Long.toString(run), "missing-folder", "--csv", "out.csv");
        assertThat(noFolder.exitCode()).isEqualTo(2);
        assertThat(noFolder.stderr()).contains("missing-folder");
        assertThat(Files.exists(a.resolve("out.csv"))).isFalse();
        CliRun badTag = fovea(a, "runs", "tag", Long.toString(run), "no spaces allowed");
        assertThat(badTag.exitCode()).isEqualTo(2);
        assertThat(badTag.stderr()).contains("'no spaces allowed'");
        assertThat(fovea(a, "runs", "show", Long.toString(run), "--json").json().get("tags")).isEmpty();

        // One file carries the model to another workspace.
        assertThat(fovea(a, "model", "export", "fm:1", "-o", b.resolve("fm.fovea-model").toString()).exitCode()).isZero();
        assertThat(fovea(b, "project", "create", "clothes", "--classes", "trouser,bag,coat").exitCode()).isZero();
        CliRun imported = fovea(b, "model", "import", "fm.fovea-model", "--name", "clothes-v1", "--project", "clothes", "--json");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(imported.json().get("classes").toString()).isEqualTo("[\"bag\",\"trouser\"]");
        assertThat(imported.json().get("format").asText()).isEqualTo("fovea");
        Files.writeString(b.resolve("notes.txt"), "not a model");
        CliRun notAModel = fovea(b, "model", "import", "notes.txt", "--name", "x", "--project", "clothes");
        assertThat(notAModel.exitCode()).isEqualTo(2);
        assertThat(notAModel.stderr()).contains("notes.txt");
        assertThat(fovea(b, "project", "create", "other", "--classes", "cat,dog").exitCode()).isZero();
        CliRun wrongProject = fovea(b, "model", "import", "fm.fovea-model", "--name", "x", "--project", "other");
        assertThat(wrongProject.exitCode()).isEqualTo(2);
        assertThat(wrongProject.stderr()).contains("not classes of project other");

        // fovea serve in its own process, on a free port, answering with a predict token.
        assertThat(fovea(a, "user", "add", "ops", "--admin").exitCode()).isZero();
        String token = fovea(a, "token", "create", "--user", "ops", "--scope", "predict", "--json").json().get("token").asText();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "-Dfovea.home=" + CliRun.repoRoot(),
                dev.fovea.app.Main.class.getName(), "--workspace", a.resolve("fovea-data").toString(),
                "--cache", TrainingCommandsIT.ENV.get("FOVEA_CACHE"), "-s", "server.host=127.0.0.1", "serve", "--model", "fm", "--port", "0"));
        Process serve = new ProcessBuilder(command).directory(a.toFile()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            Matcher m = null;
            Pattern url = Pattern.compile("at (http://[^ ]+):(\\d+)/v2/models/fm");
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                m = url.matcher(line);
                if (m.find()) break;
            }
            assertThat(m != null && m.find(0)).as(seen.toString()).isTrue();
            String base = "http://127.0.0.1:" + m.group(2);
            byte[] png = Files.readAllBytes(Files.list(a.resolve("in/bag")).sorted().findFirst().orElseThrow());
            HttpClient http = HttpClient.newHttpClient();
            String body = "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\""
                    + Base64.getEncoder().encodeToString(png) + "\"]}]}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/fm/infer"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode doc = new ObjectMapper().readTree(r.body());
            assertThat(doc.get("model_version").asText()).isEqualTo("1");
            assertThat(doc.get("outputs").get(1).get("data").get(0).asText()).isIn("trouser", "bag");
            // Inference only: no admin API, no pages.
            HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(base + "/api/projects"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).as(api.body()).isEqualTo(404);
        } finally {
            serve.destroy();
            serve.waitFor(10, TimeUnit.SECONDS);
            serve.destroyForcibly();
        }
    }

    /** Live threads of ModelServing's alias poller in this JVM. */
    static long aliasPollers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("fovea-alias-poll")).count();
    }
}
