package dev.fovea.app.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --json} flag of every reporting command, declared once: exactly one JSON document on stdout, errors
 * too. ({@link Cli} also looks for the flag before parsing, so that a bad command line answers in JSON.)
 */
final class JsonOption {
    @Option(names = "--json", description = "Print one JSON document on stdout (errors too: {\"error\": {\"code\", \"message\"}}).")
    boolean json;

    boolean on() {
        return json;
    }
}
