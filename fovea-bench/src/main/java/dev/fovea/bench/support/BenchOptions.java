package dev.fovea.bench.support;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Command-line options for a benchmark's {@code main}: the options object is a picocli {@code @Command} whose
 * fields are {@code @Option}s. A bad or missing option prints what is wrong and the usage, and exits with status 2;
 * {@code --help} prints the usage and exits with 0.
 */
public final class BenchOptions {
    private BenchOptions() {}

    public static <T> T parse(T options, String[] args) {
        CommandLine cli = commandLine(options);
        try {
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(System.out);
                System.exit(0);
            }
            if (parsed.errors().isEmpty()) return options;
            throw parsed.errors().get(0);
        } catch (CommandLine.ParameterException e) {
            fail(options, e.getMessage());
        } catch (Exception e) {
            fail(options, e.toString());
        }
        return options;
    }

    /** Stops the benchmark for a bad option value found after parsing: {@code problem} names the option and value. */
    public static void fail(Object options, String problem) {
        CommandLine cli = commandLine(options);
        PrintWriter err = new PrintWriter(System.err, true);
        err.println(cli.getCommandName() + ": " + problem);
        cli.usage(err);
        System.exit(2);
    }

    /** {@link #fail} unless {@code ok}. */
    public static void require(boolean ok, Object options, String problem) {
        if (!ok) fail(options, problem);
    }

    private static CommandLine commandLine(Object options) {
        return new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true).setUsageHelpWidth(120);
    }
}
