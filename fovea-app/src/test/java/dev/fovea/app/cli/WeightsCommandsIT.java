package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.testing.WeightsFixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea weights} (import, list, show, remove, fetch), {@code fovea train --from weights:NAME}, {@code fovea
 * model import --format state-dict} and {@code fovea predict --model} through the real CLI, on the fixtures Debian's
 * PyTorch made (scripts/make-weights-fixtures.py) and a download server on this machine.
 */
class WeightsCommandsIT {
    static Path fixtures;
    @TempDir Path cwd;

    @BeforeAll
    static void fixtures() {
        fixtures = WeightsFixtures.dir();
    }

    static CliRun fovea(Path cwd, String... args) {
        return TrainingCommandsIT.fovea(cwd, args);
    }

    @Test
    void installsListsShowsRemovesAndRefusesFilesThatDoNotFit() throws Exception {
        Path file = fixtures.resolve("resnet18-random.pth");
        CliRun imported = fovea(cwd, "weights", "import", file.toString(), "--arch", "resnet18", "--name", "r18", "--json");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        JsonNode doc = imported.json();
        assertThat(doc.toString()).isEqualTo("{\"name\":\"r18\",\"arch\":\"resnet18\",\"tensors\":102,\"skipped\":[],"
                + "\"input_size\":224,\"mean\":[0.485,0.456,0.406],\"std\":[0.229,0.224,0.225]}");

        CliRun again = fovea(cwd, "weights", "import", file.toString(), "--arch", "resnet18", "--name", "r18");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.stderr()).contains("weights 'r18' are installed already");

        CliRun partial = fovea(cwd, "weights", "import", fixtures.resolve("resnet18-fmnist-0to4.pth").toString(), "--arch",
                "resnet18", "--name", "fm04", "--input-size", "32", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--json");
        assertThat(partial.exitCode()).as(partial.stderr()).isZero();
        assertThat(partial.json().get("input_size").asInt()).isEqualTo(32);

        // Files that do not fit: an error naming why, exit 2, nothing installed
        CliRun other = fovea(cwd, "weights", "import", fixtures.resolve("mobilenet_v2-random.safetensors").toString(),
                "--arch", "resnet18", "--name", "wrong");
        assertThat(other.exitCode()).isEqualTo(2);
        assertThat(other.stderr()).contains("does not fit resnet18: conv1.weight: missing");
        CliRun arch = fovea(cwd, "weights", "import", file.toString(), "--arch", "vgg16", "--name", "wrong");
        assertThat(arch.exitCode()).isEqualTo(2);
        assertThat(arch.stderr()).contains("--arch 'vgg16'").contains("resnet18, resnet34, resnet50, mobilenet-v2");
        Files.writeString(cwd.resolve("notes.txt"), "not weights");
        CliRun text = fovea(cwd, "weights", "import", "notes.txt", "--arch", "resnet18", "--name", "wrong");
        assertThat(text.exitCode()).isEqualTo(2);
        assertThat(text.stderr()).contains("notes.txt is neither a PyTorch state dict");
        CliRun badName = fovea(cwd, "weights", "import", file.toString(), "--arch", "resnet18", "--name", "Not OK");
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.stderr()).contains("weights name 'Not OK'");

        JsonNode list = fovea(cwd, "weights", "list", "--json").json().get("weights");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("name").asText()).isEqualTo("fm04");
        assertThat(list.get(0).get("head_classes").asInt()).isEqualTo(5);
        JsonNode shown = fovea(cwd, "weights", "show", "r18", "--json").json();
        assertThat(shown.get("file_sha256").asText()).isEqualTo(Sha256.hex(Files.readAllBytes(file)));
        assertThat(shown.get("file_format").asText()).isEqualTo("torch-zip");
        assertThat(shown.get("source").asText()).isEqualTo("resnet18-random.pth");

        assertThat(fovea(cwd, "weights", "remove", "r18").exitCode()).isZero();
        CliRun gone = fovea(cwd, "weights", "show", "r18");
        assertThat(gone.exitCode()).isEqualTo(2);
        assertThat(gone.stderr()).contains("weights 'r18' are not installed").contains("installed: fm04");
    }

    @Test
    void aRunFromWeightsTakesTheirArchitectureAndPreprocessingUnlessItSetsThem() throws Exception {
        TrainingCommandsIT.importFashion(cwd, 30, Set.of(5, 7));
        assertThat(fovea(cwd, "dataset", "freeze", "--project", "fm").exitCode()).isZero();
        assertThat(fovea(cwd, "weights", "import", fixtures.resolve("resnet18-fmnist-0to4.pth").toString(), "--arch",
                "resnet18", "--name", "fm04", "--input-size", "32", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25")
                .exitCode()).isZero();

        CliRun trained = fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--from", "weights:fm04", "--epochs", "1",
                "--freeze-epochs", "1", "--augment", "none", "--json");
        assertThat(trained.exitCode()).as(trained.stderr()).isZero();
        JsonNode params = trained.json().get("params");
        assertThat(params.get("arch").asText()).isEqualTo("resnet18");
        assertThat(params.get("input_size").asText()).isEqualTo("32");
        assertThat(params.get("mean").asText()).isEqualTo("0.5,0.5,0.5");
        assertThat(params.get("std").asText()).isEqualTo("0.25,0.25,0.25");
        assertThat(params.get("from").asText()).isEqualTo("weights:fm04");
        long run = trained.json().get("run").asLong();
        JsonNode shown = fovea(cwd, "runs", "show", Long.toString(run), "--json").json();
        assertThat(shown.get("provenance").get("preprocessing.mean").asText()).isEqualTo("0.5,0.5,0.5");

        CliRun own = fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--from", "weights:fm04", "--epochs", "1",
                "--input-size", "36", "--std", "0.3,0.3,0.3", "--augment", "none", "--json");
        assertThat(own.exitCode()).as(own.stderr()).isZero();
        assertThat(own.json().get("params").get("input_size").asText()).isEqualTo("36");
        assertThat(own.json().get("params").get("std").asText()).isEqualTo("0.3,0.3,0.3");
        assertThat(own.json().get("params").get("mean").asText()).isEqualTo("0.5,0.5,0.5");

        CliRun otherArch = fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--from", "weights:fm04", "--arch",
                "mobilenet-v2", "--epochs", "1");
        assertThat(otherArch.exitCode()).isEqualTo(2);
        assertThat(otherArch.stderr()).contains("weights:fm04").contains("arch resnet18");
        CliRun missing = fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--from", "weights:nope", "--epochs", "1");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("from 'weights:nope': weights 'nope' are not installed");
        assertThat(fovea(cwd, "runs", "list", "--json").json().get("runs")).hasSize(2);

        // In a search space: a trial from weights takes their architecture and input size too
        Files.writeString(cwd.resolve("space.yaml"), """
                objective: {metric: val_accuracy, direction: maximize}
                params:
                  from: {type: choice, values: ["weights:fm04"]}
                  epochs: {type: fixed, value: 1}
                  augment: {type: fixed, value: none}
                """);
        CliRun tuned = fovea(cwd, "tune", "--project", "fm", "--dataset", "1", "--space", "space.yaml", "--trials", "1",
                "--in-process", "--name", "from-weights", "--json");
        assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
        JsonNode all = fovea(cwd, "runs", "list", "--json").json().get("runs");
        List<JsonNode> trialRuns = new java.util.ArrayList<>();
        all.forEach(r -> {
            if (!r.get("study").isNull()) trialRuns.add(r);
        });
        assertThat(trialRuns).as(all.toString()).hasSize(1);
        assertThat(trialRuns.get(0).get("params").get("arch").asText()).isEqualTo("resnet18");
        assertThat(trialRuns.get(0).get("params").get("input_size").asText()).isEqualTo("32");
        assertThat(trialRuns.get(0).get("params").get("from").asText()).isEqualTo("weights:fm04");

        // A run that names no network starts from the installed weights when the images are large enough for them
        // (--queue: the choice is made and recorded without training).
        CliRun tiny = fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--queue", "--json");
        assertThat(tiny.exitCode()).as(tiny.stderr()).isZero();
        assertThat(tiny.json().get("chosen").toString()).contains("network small-cnn from scratch: the median image 28x28"
                + " is too small for the installed weights 'fm04'");
        assertThat(fovea(cwd, "import", CliRun.repoRoot().resolve("samples/emoji/images").toString(), "--project", "emoji",
                "--create").exitCode()).isZero();
        CliRun emoji = fovea(cwd, "train", "--project", "emoji", "--queue", "--json");
        assertThat(emoji.exitCode()).as(emoji.stderr()).isZero();
        assertThat(emoji.stderr()).contains("--from weights:fm04").contains("start from the installed weights 'fm04' (resnet18)");
        JsonNode queued = fovea(cwd, "runs", "show", emoji.json().get("run").asText(), "--json").json().get("params");
        assertThat(queued.get("from").asText()).isEqualTo("weights:fm04");
        assertThat(queued.get("arch").asText()).isEqualTo("resnet18");
        assertThat(queued.get("input_size").asText()).isEqualTo("32");
        assertThat(queued.get("epochs").asText()).isEqualTo("10");
        assertThat(queued.get("mean").asText()).isEqualTo("0.5,0.5,0.5");
    }

    @Test
    void aStateDictImportedAsAModelPredictsWhatPyTorchPredicted() throws Exception {
        String classes = "t-shirt,trouser,pullover,dress,coat";
        assertThat(fovea(cwd, "project", "create", "fm5", "--classes", classes).exitCode()).isZero();
        CliRun wrongHead = fovea(cwd, "model", "import", fixtures.resolve("resnet18-fmnist-0to4.pth").toString(), "--format",
                "state-dict", "--arch", "resnet18", "--classes", "t-shirt,trouser,pullover", "--input-size", "32",
                "--name", "pt", "--project", "fm5");
        assertThat(wrongHead.exitCode()).isEqualTo(2);
        assertThat(wrongHead.stderr()).contains("fc.weight: shape [5, 512], resnet18 needs [3, 512]");
        CliRun noArch = fovea(cwd, "model", "import", fixtures.resolve("resnet18-fmnist-0to4.pth").toString(), "--format",
                "state-dict", "--classes", classes, "--input-size", "32", "--name", "pt", "--project", "fm5");
        assertThat(noArch.exitCode()).isEqualTo(2);
        assertThat(noArch.stderr()).contains("needs --arch, --classes and --input-size");

        CliRun imported = fovea(cwd, "model", "import", fixtures.resolve("resnet18-fmnist-0to4.pth").toString(), "--format",
                "state-dict", "--arch", "resnet18", "--classes", classes, "--input-size", "32", "--name", "pt",
                "--project", "fm5", "--alias", "production", "--json");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(imported.json().get("format").asText()).isEqualTo("fovea");

        CliRun neither = fovea(cwd, "predict", fixtures.resolve("predict").toString(), "--csv", "x.csv");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.stderr()).contains("one of --run RUN or --model");
        CliRun predicted = fovea(cwd, "predict", "--model", "pt", fixtures.resolve("predict").toString(), "--csv", "out.csv", "--json");
        assertThat(predicted.exitCode()).as(predicted.stderr()).isZero();
        assertThat(predicted.json().get("predicted").asInt()).isEqualTo(100);

        Map<String, String> pytorch = new HashMap<>(), labels = new HashMap<>();
        for (String line : Files.readAllLines(fixtures.resolve("pytorch-predictions.csv")).subList(1, 101)) {
            String[] f = line.split(",");
            pytorch.put(f[0], List.of(classes.split(",")).get(Integer.parseInt(f[1])));
            labels.put(f[0], List.of(classes.split(",")).get(Integer.parseInt(f[2])));
        }
        int agree = 0, right = 0;
        List<String> rows = Files.readAllLines(cwd.resolve("out.csv"));
        assertThat(rows).hasSize(101);
        for (String line : rows.subList(1, rows.size())) {
            String[] f = line.split(",");
            if (f[1].equals(pytorch.get(f[0]))) agree++;
            if (f[1].equals(labels.get(f[0]))) right++;
        }
        System.out.printf("fovea predict --model agrees with PyTorch on %d of 100 images (right: %d)%n", agree, right);
        assertThat(agree).as("images where Fovea predicts what PyTorch predicted").isGreaterThanOrEqualTo(95);
        assertThat(right).as("right predictions of a model that PyTorch got 90 of 100 right with").isGreaterThan(80);
    }

    @Test
    void fetchDownloadsChecksTheHashResumesAndRefusesWhatDoesNotMatch() throws Exception {
        byte[] weights = Files.readAllBytes(fixtures.resolve("resnet18-random.pth"));
        String prefix = Sha256.hex(weights).substring(0, 8);
        AtomicInteger truncateNext = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/models/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/models/".length());
            try (exchange) {
                if (!name.endsWith(".pth") || name.startsWith("missing")) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                String range = exchange.getRequestHeaders().getFirst("Range");
                int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(weights.length - from));
                if (from > 0) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (weights.length - 1) + "/" + weights.length);
                }
                exchange.sendResponseHeaders(from > 0 ? 206 : 200, weights.length - from);
                OutputStream out = exchange.getResponseBody();
                int end = truncateNext.getAndSet(0) == 1 ? weights.length / 2 : weights.length;
                out.write(weights, from, end - from);
                if (end < weights.length) throw new IOException("cut on purpose");
            }
        });
        server.start();
        // The shared test cache may hold a part left by an earlier run: start without one
        Path downloads = Path.of(TrainingCommandsIT.ENV.get("FOVEA_CACHE")).resolve("downloads");
        if (Files.isDirectory(downloads)) {
            try (var files = Files.list(downloads)) {
                for (Path f : files.toList()) Files.delete(f);
            }
        }
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/models/";
            truncateNext.set(1);
            CliRun cut = fovea(cwd, "weights", "fetch", base + "resnet18-" + prefix + ".pth", "--arch", "resnet18", "--name", "dl");
            assertThat(cut.exitCode()).as("not bad input: the same command can carry on").isEqualTo(1);
            assertThat(cut.stderr()).contains("resumes");
            assertThat(fovea(cwd, "weights", "list", "--json").json().get("weights")).isEmpty();
            CliRun resumed = fovea(cwd, "weights", "fetch", base + "resnet18-" + prefix + ".pth", "--arch", "resnet18",
                    "--name", "dl", "--sha256", Sha256.hex(weights));
            assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
            assertThat(resumed.stderr()).contains("Downloading " + base).contains("100%").contains("(resumed)");
            assertThat(resumed.stdout()).contains("Installed weights dl: resnet18, 102 tensors");
            assertThat(fovea(cwd, "weights", "show", "dl", "--json").json().get("source").asText())
                    .isEqualTo(base + "resnet18-" + prefix + ".pth");

            CliRun mismatch = fovea(cwd, "weights", "fetch", base + "resnet18-0badc0de.pth", "--arch", "resnet18", "--name", "bad");
            assertThat(mismatch.exitCode()).isEqualTo(2);
            assertThat(mismatch.stderr()).contains("0badc0de").contains(prefix);
            // torchvision:resnet18 from a mirror (setting weights.torchvision_url): checked against torchvision's hash
            CliRun mirror = fovea(cwd, "-s", "weights.torchvision_url=" + base, "weights", "fetch", "torchvision:resnet18");
            assertThat(mirror.exitCode()).isEqualTo(2);
            assertThat(mirror.stderr()).contains(base + "resnet18-f37072fd.pth").contains("f37072fd");
            CliRun notFound = fovea(cwd, "weights", "fetch", base + "missing-12345678.pth", "--arch", "resnet18", "--name", "nf");
            assertThat(notFound.exitCode()).isEqualTo(2);
            assertThat(notFound.stderr()).contains("404").contains("missing-12345678.pth");
            assertThat(fovea(cwd, "weights", "list", "--json").json().get("weights")).hasSize(1);
            assertThat(downloads.resolve("resnet18-0badc0de.pth")).doesNotExist();
            assertThat(downloads.resolve("resnet18-0badc0de.pth.part")).doesNotExist();
            assertThat(downloads.resolve("resnet18-" + prefix + ".pth")).exists();

            CliRun unknown = fovea(cwd, "weights", "fetch", "torchvision:vgg16");
            assertThat(unknown.exitCode()).isEqualTo(2);
            assertThat(unknown.stderr()).contains("torchvision:resnet18, torchvision:resnet34");
            CliRun remote = fovea(cwd, "weights", "fetch", "http://example.com/models/net-12345678.pth", "--arch", "resnet18",
                    "--name", "x");
            assertThat(remote.exitCode()).isEqualTo(2);
            assertThat(remote.stderr()).contains("http://example.com/models/net-12345678.pth");
        } finally {
            server.stop(0);
        }
    }
}
