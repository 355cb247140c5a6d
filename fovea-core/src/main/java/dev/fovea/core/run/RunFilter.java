package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a runs filter in MLflow's search syntax: clauses joined by {@code and}, each {@code params.NAME OP VALUE},
 * {@code metrics.NAME OP NUMBER} (a metric's best value) or {@code summary.NAME OP NUMBER}, with OP one of
 * {@code = != < <= > >=} and VALUE a number, a quoted text or a bare word. A name with other characters than
 * letters, digits and {@code _ - . /} is written in backquotes. Examples:
 * {@code params.optimizer = "adamw" and metrics.val_accuracy > 0.8}, {@code params.lr <= 1e-3}.
 */
public final class RunFilter {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_./\\-]{1,200}");
    private static final Pattern CLAUSE = Pattern.compile(
            "\\s*([A-Za-z]+)\\.(`[^`]{1,200}`|[A-Za-z0-9_./\\-]+)\\s*(<=|>=|!=|<>|==|=|<|>)\\s*"
                    + "(\"[^\"]*\"|'[^']*'|[^\\s\"']+)\\s*");
    private static final Pattern AND = Pattern.compile("\\s+(?i:and)\\s+");
    /** What counts as a number: plain decimals and exponents, never NaN, Infinity or hex. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private RunFilter() {}

    /** The conditions of a filter (none for null or blank text); a clause it cannot read is named in the error. */
    public static List<RunQuery.Condition> parse(String filter) {
        if (filter == null || filter.isBlank()) return List.of();
        if (filter.length() > 2000) throw FoveaException.invalid("a runs filter is 2,000 characters at most, not " + filter.length());
        List<RunQuery.Condition> out = new ArrayList<>();
        for (String clause : splitOutsideQuotes(filter.strip())) {
            Matcher m = CLAUSE.matcher(clause);
            if (!m.matches()) {
                throw FoveaException.invalid("filter clause '" + clause.strip() + "' is not KIND.NAME OP VALUE"
                        + " (for example params.lr > 0.001 or metrics.val_accuracy >= 0.8)");
            }
            RunQuery.Field field = RunQuery.Field.of(m.group(1).toLowerCase(java.util.Locale.ROOT));
            if (field == null) {
                throw FoveaException.invalid("filter clause '" + clause.strip() + "' names '" + m.group(1)
                        + "', not params, metrics or summary");
            }
            String name = name(m.group(2), clause.strip());
            RunQuery.Op op = RunQuery.Op.of(m.group(3));
            String value = m.group(4);
            boolean quoted = value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'');
            String text = quoted ? value.substring(1, value.length() - 1) : value;
            out.add(new RunQuery.Condition(field, name, op, text, quoted ? null : number(text), null));
        }
        return out;
    }

    /** The value as a finite number, or null when it is not written as one. */
    public static Double number(String text) {
        if (text == null || !NUMBER.matcher(text.strip()).matches()) return null;
        double d = Double.parseDouble(text.strip());
        return Double.isFinite(d) ? d : null;
    }

    /** A param, metric or summary name, with its backquotes taken off; {@code in} is what it was read from. */
    static String name(String raw, String in) {
        String name = raw.length() >= 2 && raw.startsWith("`") && raw.endsWith("`") ? raw.substring(1, raw.length() - 1) : raw;
        if (name.isBlank() || (!raw.startsWith("`") && !NAME.matcher(name).matches())) {
            throw FoveaException.invalid("'" + in + "' does not name a param, metric or summary value");
        }
        return name;
    }

    private static List<String> splitOutsideQuotes(String filter) {
        List<String> parts = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        // Mask quoted text so that an "and" inside a quoted value does not split the clause.
        char quote = 0;
        for (char ch : filter.toCharArray()) {
            if (quote == 0 && (ch == '"' || ch == '\'' || ch == '`')) quote = ch;
            else if (ch == quote) quote = 0;
            plain.append(quote != 0 && ch != quote && Character.isWhitespace(ch) ? '\u0001' : ch);
        }
        if (quote != 0) throw FoveaException.invalid("filter '" + filter + "' has a quote that is never closed");
        for (String p : AND.split(plain)) parts.add(p.replace('\u0001', ' '));
        return parts;
    }
}
