package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.List;

/** A run's tags and notes: one rule for the CLI and the API, and the updates that follow it. */
public final class RunAnnotations {
    public static final int MAX_NOTES = 10_000;

    private final RunStore runs;

    public RunAnnotations(RunStore runs) {
        this.runs = runs;
    }

    /** The tag rule: 1-64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit; trimmed. */
    public static List<String> checkTags(List<String> tags) {
        List<String> out = new ArrayList<>();
        for (String t : tags) {
            String tag = t.trim();
            if (!tag.matches("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")) {
                throw FoveaException.invalid("tag '" + tag + "' must be 1-64 letters, digits, '_', '.', ':' or '-'");
            }
            out.add(tag);
        }
        return out;
    }

    /** Replaces the run's tags; returns the run as stored now. */
    public Run tag(long runId, List<String> tags) {
        require(runId);
        runs.setTags(runId, checkTags(tags));
        return require(runId);
    }

    /** Replaces the run's notes; returns the run as stored now. */
    public Run note(long runId, String notes) {
        require(runId);
        if (notes.length() > MAX_NOTES) {
            throw FoveaException.invalid("notes of run " + runId + " are " + notes.length() + " characters, longer than "
                    + "10,000");
        }
        runs.setNotes(runId, notes);
        return require(runId);
    }

    private Run require(long runId) {
        return runs.run(runId).orElseThrow(() -> FoveaException.notFound("run " + runId + " does not exist"));
    }
}
