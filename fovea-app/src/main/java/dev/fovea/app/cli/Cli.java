package dev.fovea.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fovea.core.FoveaException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs one {@code fovea} command line in this process with the given environment and streams, so that tests drive
 * the real CLI without starting a JVM. Errors print one line on stderr (and, with {@code --json}, an error document
 * on stdout) and give exit code 2 for bad input, 1 for anything else.
 */
public final class Cli {
    private final Map<String, String> env;
    private final Path cwd;
    private final Path home;
    private final Path foveaHome;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    public Cli(Map<String, String> env, Path cwd, Path home, Path foveaHome, PrintStream out, PrintStream err,
            boolean terminal) {
        this.env = env;
        this.cwd = cwd;
        this.home = home;
        this.foveaHome = foveaHome;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public int run(String... args) {
        Output output = new Output(out, err, terminal, json(args));
        try (FoveaCommand root = new FoveaCommand(env, cwd, home)) {
            CommandLine cli = new CommandLine(root, new Factory(root, output, foveaHome));
            cli.setOut(new java.io.PrintWriter(out, true));
            cli.setErr(new java.io.PrintWriter(err, true));
            cli.setCaseInsensitiveEnumValuesAllowed(true);
            withHelp(cli);
            cli.setUsageHelpAutoWidth(true); // wrap descriptions to the terminal, not at a fixed 80 columns
            cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> output.fail(e));
            cli.setParameterExceptionHandler((e, a) -> {
                output.fail(FoveaException.invalid(e.getMessage()));
                if (!output.json()) e.getCommandLine().usage(err);
                return 2;
            });
            return cli.execute(args);
        } catch (RuntimeException e) {
            return output.fail(e);
        }
    }

    /** Every command and subcommand answers {@code --help} and {@code -h} (and {@code --version}), as the top does. */
    private static void withHelp(CommandLine command) {
        command.getCommandSpec().mixinStandardHelpOptions(true);
        command.getSubcommands().values().forEach(Cli::withHelp);
    }

    private static boolean json(String[] args) {
        for (String a : args) if (a.equals("--json")) return true;
        return false;
    }

    static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Creates commands with what they need from the root (picocli calls this for every command class). */
    private record Factory(FoveaCommand root, Output output, Path foveaHome) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == FoveaCommand.class) return cls.cast(root);
            if (FoveaSubcommand.class.isAssignableFrom(cls)) {
                K command = CommandLine.defaultFactory().create(cls);
                ((FoveaSubcommand) command).bind(root, output, foveaHome);
                return command;
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }

    static Map<String, Object> errorDocument(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return Map.of("error", error);
    }
}
