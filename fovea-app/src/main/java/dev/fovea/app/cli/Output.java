package dev.fovea.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fovea.core.FoveaException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Where a command writes: with {@code --json}, exactly one JSON document on stdout; otherwise text for people.
 * Progress and diagnostics always go to stderr so that stdout stays clean for scripts.
 */
final class Output {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final boolean json;

    Output(PrintStream out, PrintStream err, boolean terminal, boolean json) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    boolean terminal() {
        return terminal;
    }

    PrintStream err() {
        return err;
    }

    void text(String line) {
        out.println(line);
    }

    /** A line for people: on stdout, or on stderr when stdout belongs to a JSON document. */
    void info(String line) {
        (json ? err : out).println(line);
    }

    void document(Object value) {
        try {
            out.println(Cli.mapper().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON output: " + e.getMessage(), e);
        }
        out.flush();
    }

    /** Reports a failure and returns the exit code: 2 when the input was wrong, 1 otherwise. */
    int fail(Exception e) {
        String code = e instanceof FoveaException fe ? fe.code() : "internal";
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        if (e instanceof UncheckedIOException) code = "io_error";
        err.println("fovea: " + message);
        if (!(e instanceof FoveaException) && !(e instanceof UncheckedIOException)) {
            e.printStackTrace(err);
        }
        if (json) document(Cli.errorDocument(code, message));
        return java.util.Set.of("invalid", "not_found", "conflict", "checkpoint_mismatch", "dataset_changed",
                "db_unavailable", "schema_newer", "weights_mismatch", "hash_mismatch").contains(code) ? 2 : 1;
    }
}
