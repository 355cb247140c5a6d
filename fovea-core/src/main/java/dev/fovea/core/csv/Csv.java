package dev.fovea.core.csv;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one CSV dialect Fovea writes and reads (RFC 4180): comma-separated, a cell quoted when it holds a comma, a
 * quote or a line break, quotes inside doubled. Core depends on the JDK alone (a boundary ArchUnit keeps), and the
 * project's CSV needs are this small, so it is one class here rather than a library.
 */
public final class Csv {
    private Csv() {}

    /** One cell, quoted only when it must be; null is an empty cell. */
    public static String cell(String s) {
        if (s == null) return "";
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /** One line of cells (without its line break). */
    public static String row(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(cell(cells.get(i)));
        }
        return sb.toString();
    }

    /** The cells of one line; a quoted cell may hold commas and doubled quotes, a carriage return is dropped. */
    public static List<String> fields(String line) {
        List<List<String>> rows = parse(new StringReader(line));
        return rows.isEmpty() ? List.of("") : rows.get(0);
    }

    /** Every record of a CSV text; quoted cells may span lines, a blank last line is no record. */
    public static List<List<String>> parse(Reader in) {
        try {
            List<List<String>> rows = new ArrayList<>();
            List<String> row = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            int c = in.read();
            while (c != -1) {
                char ch = (char) c;
                int next = in.read();
                if (quoted) {
                    if (ch == '"' && next == '"') {
                        field.append('"');
                        next = in.read();
                    } else if (ch == '"') {
                        quoted = false;
                    } else {
                        field.append(ch);
                    }
                } else if (ch == '"') {
                    quoted = true;
                } else if (ch == ',') {
                    row.add(field.toString());
                    field.setLength(0);
                } else if (ch == '\n') {
                    row.add(field.toString());
                    field.setLength(0);
                    rows.add(row);
                    row = new ArrayList<>();
                } else if (ch != '\r') {
                    field.append(ch);
                }
                c = next;
            }
            if (field.length() > 0 || !row.isEmpty()) {
                row.add(field.toString());
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
