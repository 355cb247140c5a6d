package dev.fovea.app.cli;

import dev.fovea.core.image.Rejection;
import dev.fovea.core.imports.ImportResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The import summary, as text for people and as the JSON document scripts depend on. */
final class ImportReport {
    private ImportReport() {}

    static Map<String, Object> json(ImportResult r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("project", r.project());
        doc.put("imported", r.imported());
        doc.put("duplicates", r.duplicates());
        doc.put("unchanged", r.unchanged());
        doc.put("skipped", r.skipped());
        List<Map<String, Object>> rejected = new ArrayList<>();
        for (Rejection rej : r.rejected()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("path", rej.path());
            one.put("reason", rej.reason().code());
            one.put("message", rej.message());
            rejected.add(one);
        }
        doc.put("rejected", rejected);
        doc.put("rejected_by_reason", r.rejectedByReason());
        doc.put("csv_rows_without_file", r.csvRowsWithoutFile());
        doc.put("seconds", r.elapsed().toMillis() / 1000.0);
        return doc;
    }

    static void print(ImportResult r, Output out) {
        if (r.nothingNew() && r.rejected().isEmpty() && r.unchanged() > 0) {
            out.text("Nothing new: all " + r.unchanged() + " files were imported into '" + r.project() + "' before.");
        } else if (r.nothingNew() && r.unchanged() > 0) {
            out.text("Nothing new: " + r.unchanged() + " files were imported into '" + r.project() + "' before.");
        }
        out.text(String.format(Locale.ROOT, "Project %s: %d imported, %d duplicates, %d already imported, %d rejected"
                + " (%.1f s)", r.project(), r.imported(), r.duplicates(), r.unchanged(), r.rejected().size(),
                r.elapsed().toMillis() / 1000.0));
        if (!r.rejected().isEmpty()) {
            out.text("Rejected by reason: " + r.rejectedByReason());
            int shown = 0;
            for (Rejection rej : r.rejected()) {
                if (shown++ == 20) {
                    out.text("  ... and " + (r.rejected().size() - 20) + " more (use --json for all)");
                    break;
                }
                out.text("  " + rej.reason().code() + "  " + rej.path() + ": " + rej.message());
            }
        }
        if (r.skipped() > 0) out.text("Skipped " + r.skipped() + " system files (dot files, __MACOSX, Thumbs.db).");
        if (!r.csvRowsWithoutFile().isEmpty()) {
            out.text("Labels CSV rows naming no file found: " + r.csvRowsWithoutFile().size() + " (first: "
                    + r.csvRowsWithoutFile().get(0) + ")");
        }
    }
}
