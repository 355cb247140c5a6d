package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.app.Golden;
import dev.fovea.core.testing.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --json} documents (and CSV files) scripts depend on, byte for byte, for one small project taken from
 * import to a registered model. Written before the structural changes of issue 13, to show they change nothing.
 */
class GoldenCliDocumentsIT {
    @TempDir Path cwd;

    private CliRun ok(String... args) {
        CliRun run = TrainingCommandsIT.fovea(cwd, args);
        assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run.stderr()).isZero();
        return run;
    }

    @Test
    void documentsFromImportToModelStayTheSame() throws Exception {
        assertThat(FashionMnist.available()).as("Debian's dataset-fashion-mnist is installed").isTrue();
        FashionMnist.writePngTree(FashionMnist.balanced(true, 24, Set.of(0, 1, 7)), cwd.resolve("in"));
        Files.writeString(cwd.resolve("in/notes.jpg"), "not an image");
        Golden.of(ok("import", "in", "--project", "fm", "--create", "--json").stdout(), cwd).matches("cli/import.json");
        Golden.of(ok("project", "show", "fm", "--json").stdout(), cwd).matches("cli/project-show.json");
        Golden.of(ok("project", "list", "--json").stdout(), cwd).matches("cli/project-list.json");
        Golden.of(ok("check", "--project", "fm", "--json").stdout(), cwd).matches("cli/check.json");
        Golden.of(ok("dataset", "freeze", "--project", "fm", "--validation", "0.2", "--test", "0.2", "--json").stdout(), cwd)
                .matches("cli/dataset-freeze.json");
        Golden.of(ok("dataset", "show", "1", "--project", "fm", "--json").stdout(), cwd).matches("cli/dataset-show.json");
        Golden.of(ok("dataset", "list", "--project", "fm", "--json").stdout(), cwd).matches("cli/dataset-list.json");

        String[] tiny = TrainingCommandsIT.concat(TrainingCommandsIT.FAST, "--epochs", "2", "--batch-size", "16");
        Golden.trained(ok(TrainingCommandsIT.concat(new String[] {"train", "--project", "fm", "--dataset", "1",
                "--tag", "first", "--json"}, tiny)).stdout(), cwd).matches("cli/train.json");
        Golden.trained(ok(TrainingCommandsIT.concat(new String[] {"train", "--project", "fm", "--dataset", "1",
                "--json", "--lr", "0.01"}, tiny)).stdout(), cwd).matches("cli/train-second.json");
        ok("runs", "tag", "1", "best");
        ok("runs", "note", "1", "a note, with \"quotes\"");
        Golden.trained(ok("runs", "show", "1", "--json").stdout(), cwd).matches("cli/runs-show.json");
        Golden.trained(ok("runs", "list", "--json").stdout(), cwd).matches("cli/runs-list.json");
        Golden.trained(ok("runs", "compare", "1", "2", "--json").stdout(), cwd).matches("cli/runs-compare.json");
        ok("runs", "export", "--csv", "runs.csv");
        Golden.trained(Files.readString(cwd.resolve("runs.csv")), cwd).matches("cli/runs-export.csv");
        Golden.trained(ok("evaluate", "1", "--json").stdout(), cwd).matches("cli/evaluate.json");
        ok("predict", "--run", "1", "in", "--csv", "predictions.csv");
        // The predicted classes depend on the machine's kernels: the header and the paths, in order, are fixed.
        StringBuilder paths = new StringBuilder();
        for (String line : Files.readAllLines(cwd.resolve("predictions.csv"))) paths.append(line.split(",")[0]).append('\n');
        Golden.of(Files.readAllLines(cwd.resolve("predictions.csv")).get(0) + "\n" + paths, cwd).matches("cli/predict.csv");
        Golden.trained(ok("model", "register", "--run", "1", "--name", "fm", "--alias", "production", "--json").stdout(), cwd)
                .matches("cli/model-register.json");
        Golden.trained(ok("model", "show", "fm", "--json").stdout(), cwd).matches("cli/model-show.json");
        Golden.trained(ok("model", "list", "--json").stdout(), cwd).matches("cli/model-list.json");
        Golden.of(ok("user", "add", "ana", "--json").stdout(), cwd).matches("cli/user-add.json");
        Golden.of(ok("user", "list", "--json").stdout(), cwd).matches("cli/user-list.json");
        Golden.of(ok("token", "create", "--user", "ana", "--scope", "review", "--json").stdout(), cwd).matches("cli/token-create.json");
        Golden.of(ok("token", "list", "--json").stdout(), cwd).matches("cli/token-list.json");
        // An error document too: scripts read its code.
        CliRun missing = TrainingCommandsIT.fovea(cwd, "runs", "show", "99", "--json");
        assertThat(missing.exitCode()).isNotZero();
        Golden.of(missing.stdout(), cwd).matches("cli/error-missing-run.json");
    }
}
