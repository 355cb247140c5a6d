package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.TestPredictions;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.McNemar;
import dev.fovea.store.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea train}, {@code runs}, {@code evaluate} and {@code predict} through the real CLI, training for real
 * on Fashion-MNIST images (Debian's dataset-fashion-mnist) imported as PNG files.
 */
class TrainingCommandsIT {
    /** Shared by all tests so that libtorch is unpacked once per machine, not once per test folder. */
    static final Map<String, String> ENV = Map.of("FOVEA_CACHE", Path.of(System.getProperty("java.io.tmpdir"), "fovea-test-cache").toString());
    /** Small and quick; batch 16 without warm-up, so that a few epochs of PyTorch's initialisation learn enough. */
    static final String[] FAST = {"--input-size", "28", "--cnn-channels", "16", "--cnn-blocks", "2", "--augment", "none",
            "--lr", "0.003", "--early-stopping-patience", "0", "--batch-size", "16", "--warmup-epochs", "0"};

    @TempDir Path cwd;

    static CliRun fovea(Path cwd, String... args) {
        return CliRun.in(cwd, ENV, args);
    }

    /** Imports {@code perClass} training images of the given Fashion-MNIST labels into project {@code fm}. */
    static void importFashion(Path cwd, int perClass, Set<Integer> labels) {
        assertThat(FashionMnist.available()).as("Debian's dataset-fashion-mnist is installed (scripts/install-test-deps.sh)").isTrue();
        FashionMnist.writePngTree(FashionMnist.balanced(true, perClass, labels), cwd.resolve("in"));
        CliRun imported = fovea(cwd, "import", "in", "--project", "fm", "--create", "--json");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Settings left open are chosen from the data and printed with a reason; without --dataset the labels are frozen first. */
    @Test
    void settingsNotGivenAreChosenFromTheDataAndChangedLabelsAreFrozenFirst() throws Exception {
        importFashion(cwd, 12, Set.of(0, 1, 7));
        CliRun first = fovea(cwd, "train", "--project", "fm", "--epochs", "1", "--json");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.stderr()).contains("Dataset version 1 frozen first (36 images): the project had none.")
                .contains("Chosen from the data")
                .containsPattern("--input-size 32 +input 32 px: median image 28x28 \\(not enlarged past 32 px\\)")
                .containsPattern("--batch-size 16 +batch 16: \\d+ training images \\(so that an epoch has several steps\\)");
        JsonNode doc = first.json();
        assertThat(doc.get("dataset").asInt()).isEqualTo(1);
        Map<String, String> chosen = new HashMap<>();
        for (JsonNode c : doc.get("chosen")) {
            assertThat(c.get("reason").asText()).isNotBlank();
            chosen.put(c.get("key").asText(), c.get("value").asText());
        }
        assertThat(chosen).containsEntry("input_size", "32").containsEntry("cnn_blocks", "3")
                .containsEntry("cnn_convs", "1").containsEntry("batch_size", "16").containsEntry("arch", "small-cnn")
                .doesNotContainKey("epochs"); // given
        assertThat(doc.get("params").get("input_size").asText()).isEqualTo("32");
        assertThat(doc.get("params").get("batch_size").asText()).isEqualTo("16");
        assertThat(doc.get("params").get("epochs").asText()).isEqualTo("1");

        // Same labels: the latest version again; a given setting is not chosen.
        CliRun same = fovea(cwd, "train", "--project", "fm", "--epochs", "1", "--input-size", "28", "--json");
        assertThat(same.exitCode()).as(same.stderr()).isZero();
        assertThat(same.stderr()).contains("Dataset version 1: the labels are as they were when it was frozen.");
        assertThat(same.json().get("dataset").asInt()).isEqualTo(1);
        assertThat(same.json().get("chosen").toString()).doesNotContain("input_size");
        assertThat(same.json().get("params").get("input_size").asText()).isEqualTo("28");

        // More images: a new version, split as the latest was.
        FashionMnist.writePngTree(FashionMnist.balanced(true, 16, Set.of(0, 1, 7)), cwd.resolve("more"));
        assertThat(fovea(cwd, "import", "more", "--project", "fm").exitCode()).isZero();
        CliRun changed = fovea(cwd, "train", "--project", "fm", "--epochs", "1", "--fixed-defaults", "--json");
        assertThat(changed.exitCode()).as(changed.stderr()).isZero();
        assertThat(changed.stderr()).contains("Dataset version 2 frozen first (48 images): the labels changed since version 1.")
                .doesNotContain("Chosen from the data");
        assertThat(changed.json().get("chosen")).isEmpty();
        assertThat(changed.json().get("params").get("input_size").asText()).isEqualTo("64"); // TrainSettings.DEFAULTS
        JsonNode versions = fovea(cwd, "dataset", "list", "--project", "fm", "--json").json();
        assertThat(versions.toString()).contains("\"validation_fraction\":0.1").doesNotContain("0.15");
        assertThat(fovea(cwd, "train", "--resume", "1", "--fixed-defaults").stderr())
                .contains("--fixed-defaults does not go with --resume");
    }

    @Test
    void trainsRecordsEvaluatesPredictsAndReruns() throws Exception {
        importFashion(cwd, 60, Set.of(0, 1, 7, 8));
        CliRun frozen = fovea(cwd, "dataset", "freeze", "--project", "fm", "--validation", "0.2", "--test", "0.25", "--json");
        assertThat(frozen.exitCode()).as(frozen.stderr()).isZero();
        int testImages = 0;
        for (JsonNode n : frozen.json().get("counts").get("test")) testImages += n.asInt();

        CliRun trained = fovea(cwd, concat(new String[] {"train", "--project", "fm", "--dataset", "1", "--epochs", "4",
                "--tag", "first", "--json"}, FAST));
        assertThat(trained.exitCode()).as(trained.stderr()).isZero();
        JsonNode t = trained.json();
        long run = t.get("run").asLong();
        assertThat(t.get("status").asText()).isEqualTo("finished");
        double accuracy = t.get("test").get("accuracy").asDouble();
        assertThat(accuracy).as("test accuracy on 4 classes (chance 0.25)").isGreaterThan(0.7);
        JsonNode perClass = t.get("test").get("per_class");
        assertThat(perClass.size()).isEqualTo(4);
        int support = 0;
        for (JsonNode c : perClass) {
            assertThat(c.has("precision") && c.has("recall") && c.has("f1")).isTrue();
            support += c.get("support").asInt();
        }
        assertThat(support).isEqualTo(testImages);

        // The run's record: settings written once, metrics per step and per epoch, artifacts, provenance.
        try (Storage s = Storage.embedded(cwd.resolve("fovea-data"), Clock.systemUTC())) {
            Run r = s.runs().run(run).orElseThrow();
            assertThat(r.params()).containsEntry("epochs", "4").containsEntry("input_size", "28").containsEntry("arch", "small-cnn");
            assertThat(r.provenance()).containsKeys("dataset_hash", "djl", "pytorch", "fovea", "host", "classes");
            assertThat(r.provenance().get("dataset_hash")).isEqualTo(frozen.json().get("hash").asText());
            assertThat(r.tags()).containsExactly("first");
            List<MetricPoint> val = s.runs().metrics(run, "val_accuracy");
            assertThat(val).extracting(MetricPoint::epoch).containsExactly(1, 2, 3, 4);
            List<MetricPoint> loss = s.runs().metrics(run, "train_loss");
            assertThat(loss).hasSizeGreaterThanOrEqualTo(4);
            assertThat(s.runs().metrics(run, "lr")).hasSameSizeAs(loss);
            assertThat(s.runs().metrics(run, "images_per_second")).hasSameSizeAs(loss);
            double early = loss.subList(0, 3).stream().mapToDouble(MetricPoint::value).average().orElseThrow();
            double late = loss.subList(loss.size() - 3, loss.size()).stream().mapToDouble(MetricPoint::value).average().orElseThrow();
            assertThat(late).as("training loss falls").isLessThan(early * 0.7);
            assertThat(s.runs().artifacts(run)).extracting(a -> a.name())
                    .contains("model.params", "confusion_matrix.csv", "test_predictions.csv", "classification_report.txt");
        }

        // Settings from a file; flags win over it.
        Files.writeString(cwd.resolve("train.yaml"), "input_size: 28\ncnn_channels: 16\ncnn_blocks: 2\naugment: none\n"
                + "epochs: 5\nlr: 0.002\nearly_stopping_patience: 0\n");
        CliRun fromFile = fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--config", "train.yaml", "--epochs", "2", "--json");
        assertThat(fromFile.exitCode()).as(fromFile.stderr()).isZero();
        long second = fromFile.json().get("run").asLong();
        JsonNode shown = fovea(cwd, "runs", "show", Long.toString(second), "--json").json();
        assertThat(shown.get("params").get("epochs").asText()).isEqualTo("2");
        assertThat(shown.get("params").get("lr").asText()).isEqualTo("0.002");
        assertThat(shown.get("summary").get("epochs_run").asInt()).isEqualTo(2);

        JsonNode list = fovea(cwd, "runs", "list", "--json").json();
        assertThat(list.get("runs")).hasSize(2);
        assertThat(list.get("runs").get(0).get("run").asLong()).isEqualTo(second);
        JsonNode compared = fovea(cwd, "runs", "compare", Long.toString(run), Long.toString(second), "--json").json();
        assertThat(compared.get("differing_params").toString()).contains("epochs", "lr").doesNotContain("arch");
        CliRun csv = fovea(cwd, "runs", "export", "--csv", "-");
        List<String> rows = csv.stdout().lines().toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).startsWith("run,project,status").contains(",lr,", "test_accuracy");

        // evaluate: the same figures as the run recorded, then side by side with a baseline.
        JsonNode evaluated = fovea(cwd, "evaluate", Long.toString(run), "--json").json();
        assertThat(evaluated.get("test").get("accuracy").asDouble()).isEqualTo(accuracy);
        TestPredictions predictions;
        try (Storage s = Storage.embedded(cwd.resolve("fovea-data"), Clock.systemUTC())) {
            predictions = dev.fovea.app.wiring.Services.of(
                    dev.fovea.app.settings.SettingsLoader.load(Map.of("workspace", cwd.resolve("fovea-data").toString()), ENV, cwd, cwd),
                    s, Clock.systemUTC()).training().runs().testPredictions(run);
        }
        // The baseline is right on every image except the first 12, where it names the next class.
        StringBuilder baseline = new StringBuilder("path,predicted\n");
        boolean[] modelRight = new boolean[predictions.rows().size()], baselineRight = new boolean[modelRight.length];
        for (int i = 0; i < predictions.rows().size(); i++) {
            TestPredictions.Row row = predictions.rows().get(i);
            int answer = i < 12 ? (row.actual() + 1) % 4 : row.actual();
            baseline.append("in/../").append(row.path()).append(',').append(predictions.classes().get(answer)).append('\n');
            modelRight[i] = row.predicted() == row.actual();
            baselineRight[i] = answer == row.actual();
        }
        String withExtra = baseline.toString().replace("in/../", "") + "t-shirt/not-in-the-test-split.png,t-shirt\n";
        Files.writeString(cwd.resolve("cloud.csv"), withExtra);
        CliRun cmp = fovea(cwd, "evaluate", Long.toString(run), "--baseline", "cloud.csv", "--json");
        assertThat(cmp.exitCode()).as(cmp.stderr()).isZero();
        JsonNode b = cmp.json().get("baseline");
        McNemar expected = McNemar.test(modelRight, baselineRight);
        assertThat(b.get("compared_images").asInt()).isEqualTo(modelRight.length);
        assertThat(b.get("answers_not_in_test").asInt()).isEqualTo(1);
        assertThat(b.get("baseline").get("accuracy").asDouble()).isEqualTo((modelRight.length - 12) / (double) modelRight.length);
        assertThat(b.get("mcnemar").get("only_model").asInt()).isEqualTo(expected.onlyA());
        assertThat(b.get("mcnemar").get("only_baseline").asInt()).isEqualTo(expected.onlyB());
        assertThat(b.get("p_value").asDouble()).isEqualTo(expected.pValue());
        CliRun text = fovea(cwd, "evaluate", Long.toString(run), "--baseline", "cloud.csv");
        assertThat(text.stdout()).contains("McNemar", "baseline");

        Files.writeString(cwd.resolve("bad.csv"), "path,predicted\nt-shirt/x.png,giraffe\n");
        CliRun bad = fovea(cwd, "evaluate", Long.toString(run), "--baseline", "bad.csv");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("giraffe", "line 2");

        // predict: a folder of new images plus a file that is not an image.
        Path folder = Files.createDirectories(cwd.resolve("new"));
        List<FashionMnist.Item> fresh = FashionMnist.balanced(false, 3, Set.of(0, 1, 7, 8));
        FashionMnist.writePngTree(fresh, folder);
        Files.writeString(folder.resolve("notes.png"), "not an image");
        CliRun predicted = fovea(cwd, "predict", "--run", Long.toString(run), "new", "--csv", "out.csv");
        assertThat(predicted.exitCode()).as(predicted.stderr()).isZero();
        List<String> lines = Files.readAllLines(cwd.resolve("out.csv"), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("path,predicted,probability,top_k,error");
        assertThat(lines).hasSize(1 + fresh.size() + 1);
        Map<String, String> byPath = new HashMap<>();
        for (String l : lines.subList(1, lines.size())) byPath.put(l.split(",")[0], l);
        assertThat(byPath.get("notes.png")).contains("not_an_image").doesNotContain("t-shirt,");
        int right = 0;
        for (FashionMnist.Item item : fresh) {
            String[] f = byPath.get(item.className() + "/" + item.fileName()).split(",", -1);
            assertThat(Double.parseDouble(f[2])).isBetween(0.25, 1.0);
            assertThat(f[3].split(";")).hasSize(3);
            assertThat(f[3]).startsWith(f[1] + ":");
            if (f[1].equals(item.className())) right++;
        }
        assertThat(right).as("new images classified right").isGreaterThanOrEqualTo(8);

        // rerun: a new run from the record gives the same settings and, seeded, the same results.
        CliRun rerun = fovea(cwd, "runs", "rerun", Long.toString(run), "--json");
        assertThat(rerun.exitCode()).as(rerun.stderr()).isZero();
        JsonNode again = fovea(cwd, "runs", "show", rerun.json().get("run").asText(), "--json").json();
        assertThat(again.get("rerun_of").asLong()).isEqualTo(run);
        assertThat(again.get("params")).isEqualTo(fovea(cwd, "runs", "show", Long.toString(run), "--json").json().get("params"));
        assertThat(again.get("summary").get("test_accuracy").asDouble()).isCloseTo(accuracy, org.assertj.core.data.Offset.offset(0.03));

        // Transfer learning from this run and from a registered model: the backbone frozen for an epoch, then fine-tuned.
        CliRun fromRun = fovea(cwd, concat(new String[] {"train", "--project", "fm", "--dataset", "1", "--epochs", "2",
                "--from", "run:" + run, "--freeze-epochs", "1", "--json"}, FAST));
        assertThat(fromRun.exitCode()).as(fromRun.stderr()).isZero();
        assertThat(fromRun.json().get("test").get("accuracy").asDouble()).as("starting from a trained network").isGreaterThan(0.7);
        assertThat(fovea(cwd, "model", "register", "--run", Long.toString(run), "--name", "fm", "--alias", "production").exitCode()).isZero();
        CliRun fromModel = fovea(cwd, concat(new String[] {"train", "--project", "fm", "--dataset", "1", "--epochs", "1",
                "--from", "model:fm@production", "--freeze-epochs", "1", "--json"}, FAST));
        assertThat(fromModel.exitCode()).as(fromModel.stderr()).isZero();
        JsonNode transferred = fovea(cwd, "runs", "show", fromModel.json().get("run").asText(), "--json").json();
        assertThat(transferred.get("params").get("from").asText()).isEqualTo("model:fm@production");
        CliRun otherArch = fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--from", "run:" + run, "--arch", "resnet18",
                "--input-size", "32");
        assertThat(otherArch.exitCode()).as(otherArch.stderr()).isEqualTo(2);
        assertThat(otherArch.stderr()).contains("run:" + run, "arch small-cnn", "not resnet18");
    }

    @Test
    void badSettingsAndDataAreRefusedBeforeARunIsCreated() throws Exception {
        importFashion(cwd, 20, Set.of(0, 1));
        assertThat(fovea(cwd, "project", "create", "other", "--classes", "t-shirt,trouser,ghost").exitCode()).isZero();
        assertThat(fovea(cwd, "import", "in", "--project", "other").exitCode()).isZero();
        assertThat(fovea(cwd, "dataset", "freeze", "--project", "fm").exitCode()).isZero();
        assertThat(fovea(cwd, "dataset", "freeze", "--project", "other").exitCode()).isZero();

        Map<String[], String[]> cases = new java.util.LinkedHashMap<>();
        cases.put(new String[] {"--arch", "vgg99"}, new String[] {"arch", "vgg99", "small-cnn"});
        cases.put(new String[] {"--learning-rate", "0.1"}, new String[] {"--learning-rate", "lr"});
        cases.put(new String[] {"--lr", "fast"}, new String[] {"lr", "fast"});
        cases.put(new String[] {"--arch", "resnet18", "--input-size", "16"}, new String[] {"input_size 16", "resnet18", "32"});
        cases.put(new String[] {"--dataset", "7"}, new String[] {"dataset version 7"});
        cases.put(new String[] {"--from", CliRun.repoRoot().resolve("samples/models/backbone-spatial.pt").toString(), "--input-size", "28"},
                new String[] {"backbone", "[N, features]"});
        cases.put(new String[] {"--freeze-epochs", "2"}, new String[] {"needs a pretrained backbone"});
        cases.put(new String[] {"--from", "run:99"}, new String[] {"run:99", "run 99 does not exist"});
        cases.put(new String[] {"--from", "run:last"}, new String[] {"run:last", "by its number"});
        cases.put(new String[] {"--from", "model:nope@production"}, new String[] {"model:nope@production", "model 'nope' does not exist"});
        for (var c : cases.entrySet()) {
            String[] args = concat(new String[] {"train", "--project", "fm"}, c.getKey());
            if (!List.of(c.getKey()).contains("--dataset")) args = concat(args, "--dataset", "1");
            CliRun r = fovea(cwd, args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.stderr()).isEqualTo(2);
            assertThat(r.stderr()).as(String.join(" ", args)).contains(c.getValue());
        }
        CliRun empty = fovea(cwd, "train", "--project", "other", "--dataset", "1");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.stderr()).contains("no training images of class ghost");
        Files.writeString(cwd.resolve("bad.yaml"), "lr: 0.01\nbatchsize: 8\n");
        CliRun badFile = fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--config", "bad.yaml");
        assertThat(badFile.exitCode()).isEqualTo(2);
        assertThat(badFile.stderr()).contains("batchsize");
        assertThat(fovea(cwd, "runs", "list", "--json").json().get("runs")).isEmpty();
        CliRun missing = fovea(cwd, "runs", "show", "99");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("run 99 does not exist");
    }

    @Test
    void aKilledRunResumesFromItsCheckpointWithTheSameSettings() throws Exception {
        importFashion(cwd, 100, Set.of(0, 1, 2, 3, 8));
        assertThat(fovea(cwd, "dataset", "freeze", "--project", "fm", "--validation", "0.2", "--test", "0.2").exitCode()).isZero();
        Path log = cwd.resolve("child.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), "-Dfovea.home=" + CliRun.repoRoot(),
                dev.fovea.app.Main.class.getName(), "--workspace", cwd.resolve("fovea-data").toString(),
                "--cache", ENV.get("FOVEA_CACHE"), "train", "--project", "fm", "--dataset", "1", "--epochs", "8",
                "--input-size", "48", "--cnn-channels", "16", "--batch-size", "16", "--early-stopping-patience", "0",
                "--optimizer", "sgd", "--lr", "0.02", "--checkpoint-seconds", "0"));
        Process child = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        int checkpointed;
        try (Storage s = Storage.embedded(cwd.resolve("fovea-data"), Clock.systemUTC())) {
            long deadline = System.nanoTime() + 180_000_000_000L;
            List<MetricPoint> epochs = List.of();
            while (System.nanoTime() < deadline && child.isAlive()) {
                epochs = s.runs().runs(null).isEmpty() ? List.of() : s.runs().metrics(1, "epoch_seconds");
                if (epochs.size() >= 2) break;
                Thread.sleep(100);
            }
            assertThat(epochs).as(Files.readString(log)).hasSizeGreaterThanOrEqualTo(2);
            // Kill half-way through the next epoch.
            Thread.sleep((long) (epochs.get(epochs.size() - 1).value() * 500));
            checkpointed = s.runs().metrics(1, "epoch_seconds").size();
            child.destroyForcibly();
            child.waitFor();
            Run killed = s.runs().run(1).orElseThrow();
            assertThat(killed.status()).isEqualTo(RunStatus.RUNNING);
            assertThat(checkpointed).as("killed before the end").isLessThan(8);
        }
        Thread.sleep(500);
        CliRun otherSettings = fovea(cwd, "train", "--resume", "1", "--lr", "0.5");
        assertThat(otherSettings.exitCode()).isEqualTo(2);
        assertThat(otherSettings.stderr()).contains("lr", "0.02", "0.5");

        // How often it checkpoints is the machine's business, not the run's: a resume may change it.
        CliRun resumed = fovea(cwd, "train", "--resume", "1", "--checkpoint-seconds", "60");
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(resumed.stderr()).contains("resuming at epoch " + (checkpointed + 1));
        try (Storage s = Storage.embedded(cwd.resolve("fovea-data"), Clock.systemUTC())) {
            Run r = s.runs().run(1).orElseThrow();
            assertThat(r.status()).isEqualTo(RunStatus.FINISHED);
            assertThat(r.params()).containsEntry("lr", "0.02").containsEntry("epochs", "8");
            assertThat(s.runs().runs(null)).hasSize(1);
            List<MetricPoint> epochs = s.runs().metrics(1, "val_accuracy");
            assertThat(epochs).extracting(MetricPoint::epoch).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            Map<Long, Long> perStep = s.runs().metrics(1, "train_loss").stream()
                    .collect(Collectors.groupingBy(MetricPoint::step, Collectors.counting()));
            assertThat(perStep.values()).as("each step recorded once").allMatch(n -> n == 1);
            long steps = s.runs().metrics(1, "train_loss").stream().mapToLong(MetricPoint::step).max().orElseThrow();
            assertThat(steps).isEqualTo(8L * (long) Math.ceil(s.runs().run(1).orElseThrow().provenance()
                    .get("train_images").transform(Integer::parseInt) / 16.0));
            assertThat(epochs.get(7).value()).as("validation accuracy, chance 0.2").isGreaterThan(0.5);
        }
    }
}
