package dev.fovea.app.cli;

import dev.fovea.core.imports.ImportListener;
import dev.fovea.core.imports.IngestOutcome;
import java.io.PrintStream;
import java.util.Locale;

/** Import progress on stderr: a bar redrawn in place on a terminal, a plain line every 10% otherwise. */
final class ProgressBar implements ImportListener {
    private final PrintStream err;
    private final boolean terminal;
    private final boolean quiet;
    private long startNanos;
    private long lastDraw;
    private int created, duplicates, rejected;

    ProgressBar(Output output) {
        this.err = output.err();
        this.terminal = output.terminal();
        this.quiet = output.json() && !output.terminal();
    }

    @Override
    public void started(String project, int files) {
        startNanos = System.nanoTime();
        if (!quiet) err.println("Importing " + files + " files into '" + project + "'");
    }

    @Override
    public void fileDone(IngestOutcome outcome, int done, int total) {
        switch (outcome.status()) {
            case CREATED -> created++;
            case DUPLICATE -> duplicates++;
            case REJECTED -> rejected++;
            default -> { }
        }
        if (quiet) return;
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDraw > 100_000_000L || done == total) {
                lastDraw = now;
                int width = 30, filled = total == 0 ? width : (int) ((long) done * width / total);
                double rate = done / Math.max(1e-9, (now - startNanos) / 1e9);
                err.printf(Locale.ROOT, "\r[%s%s] %d/%d  %d new  %d dup  %d rejected  %.0f files/s ",
                        "#".repeat(filled), " ".repeat(width - filled), done, total, created, duplicates, rejected, rate);
                if (done == total) err.println();
                err.flush();
            }
        } else if (total >= 10 && done % Math.max(1, total / 10) == 0 || done == total) {
            err.printf(Locale.ROOT, "%d/%d files: %d new, %d duplicates, %d rejected%n", done, total, created,
                    duplicates, rejected);
        }
    }
}
