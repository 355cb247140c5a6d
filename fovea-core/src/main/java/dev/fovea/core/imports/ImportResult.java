package dev.fovea.core.imports;

import dev.fovea.core.image.Rejection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The summary of one import. {@code unchanged} counts paths already imported before (a re-run imports nothing);
 * {@code skipped} counts operating-system litter such as dot files; {@code unlabelledInCsv} lists CSV rows that
 * named no file found.
 */
public record ImportResult(
        String project,
        int imported,
        int duplicates,
        int unchanged,
        int skipped,
        List<Rejection> rejected,
        List<String> csvRowsWithoutFile,
        Duration elapsed,
        ImportTimings.Snapshot timings) {

    public Map<String, Integer> rejectedByReason() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Rejection r : rejected) counts.merge(r.reason().code(), 1, Integer::sum);
        return counts;
    }

    public int total() {
        return imported + duplicates + unchanged + rejected.size();
    }

    public boolean nothingNew() {
        return imported == 0 && duplicates == 0;
    }
}
