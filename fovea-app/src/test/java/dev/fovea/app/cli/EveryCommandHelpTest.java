package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --help} and {@code -h} on every command and subcommand, found by walking the real command tree. */
class EveryCommandHelpTest {
    @TempDir Path cwd;

    @Test
    void everyCommandAndSubcommandAnswersHelpWithAUsageLineAndNoError() {
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new FoveaCommand(Map.of(), cwd, cwd)), new ArrayList<>(), paths);
        // The tree as the README shows it: if this shrinks, the walk is broken, not the help.
        assertThat(paths).hasSizeGreaterThan(30).contains(List.of("demo"), List.of("model", "import"), List.of("runs", "tag"));
        for (List<String> path : paths) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                CliRun run = CliRun.in(cwd, args.toArray(String[]::new));
                String what = "fovea " + String.join(" ", args);
                assertThat(run.exitCode()).as(what + "\n" + run.stderr()).isZero();
                assertThat(run.stderr()).as(what).isEmpty();
                assertThat(run.stdout()).as(what).startsWith("Usage: fovea " + String.join(" ", path));
                assertThat(run.stdout()).as(what).doesNotContain("Unknown option");
                // Descriptions are paragraphs that picocli wraps to the width, never lines it has to break again.
                for (String line : run.stdout().split("\n")) assertThat(line.length()).as(what + ": " + line).isLessThanOrEqualTo(80);
            }
        }
        // A command's words are still one paragraph after wrapping: no line of one sentence ends on a lone word.
        CliRun demo = CliRun.in(cwd, "demo", "--help");
        assertThat(demo.stdout().replaceAll("\\s+", " ")).contains("then serve the web UI");
    }

    @Test
    void commandsWithFlagsThatAreNotObviousShowExamples() {
        for (String[] command : new String[][] {{"train"}, {"import"}, {"check"}, {"evaluate"}, {"predict"},
                {"model", "import"}, {"serve"}, {"token", "create"}}) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            CliRun run = CliRun.in(cwd, args.toArray(String[]::new));
            assertThat(run.stdout()).as(String.join(" ", command)).contains("Examples:", "fovea " + String.join(" ", command));
        }
    }

    private static void collect(CommandLine command, List<String> prefix, List<List<String>> into) {
        for (var e : command.getSubcommands().entrySet()) {
            if (e.getValue().getParent() != command) continue; // an alias, already walked
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            into.add(path);
            collect(e.getValue(), path, into);
        }
    }
}
