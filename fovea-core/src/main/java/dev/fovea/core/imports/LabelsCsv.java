package dev.fovea.core.imports;

import dev.fovea.core.csv.Csv;
import dev.fovea.core.FoveaException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code path,label} CSV as exported by labelling tools and cloud services: a header row naming the two
 * columns (in any order, other columns ignored), RFC 4180 quoting, paths relative to the imported folder.
 */
public final class LabelsCsv {
    private LabelsCsv() {}

    public static Map<String, String> read(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<List<String>> rows = Csv.parse(in);
            if (rows.isEmpty()) throw FoveaException.invalid("labels file '" + file + "' is empty");
            List<String> header = rows.get(0).stream().map(h -> h.strip().replace("\uFEFF", "").toLowerCase()).toList();
            int pathCol = header.indexOf("path"), labelCol = header.indexOf("label");
            if (pathCol < 0 || labelCol < 0) {
                throw FoveaException.invalid("labels file '" + file + "' must start with a header row naming the columns"
                        + " 'path' and 'label'; its first row is " + rows.get(0));
            }
            Map<String, String> labels = new LinkedHashMap<>();
            for (int i = 1; i < rows.size(); i++) {
                List<String> row = rows.get(i);
                if (row.size() == 1 && row.get(0).isBlank()) continue;
                if (row.size() <= Math.max(pathCol, labelCol)) {
                    throw FoveaException.invalid("labels file '" + file + "' row " + (i + 1) + " has " + row.size()
                            + " columns, expected at least " + (Math.max(pathCol, labelCol) + 1));
                }
                String path = row.get(pathCol).strip().replace('\\', '/');
                String label = row.get(labelCol).strip();
                if (path.startsWith("./")) path = path.substring(2);
                String previous = labels.put(path, label.isEmpty() ? null : label);
                if (previous != null && !previous.equals(label)) {
                    throw FoveaException.invalid("labels file '" + file + "' gives path '" + path + "' two labels: '"
                            + previous + "' and '" + label + "'");
                }
            }
            return labels;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read labels file '" + file + "': " + e.getMessage(), e);
        }
    }
}
