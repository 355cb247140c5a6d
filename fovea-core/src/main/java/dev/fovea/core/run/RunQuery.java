package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One page of runs as the runs table asks for it: filters, one sort and a window, all of which the store does in
 * SQL, so that 10,000 runs page as fast as 10. Null filters match every run.
 *
 * @param study a study's name: its trials' runs
 * @param tag a tag the runs carry
 * @param conditions on a param, a metric's best value or a summary value, all of which must hold
 */
public record RunQuery(UUID projectId, Integer datasetVersion, RunStatus status, String source, String study,
        String tag, List<Condition> conditions, Sort sort, int limit, int offset) {
    public static final int MAX_LIMIT = 1000;

    public RunQuery {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        if (sort == null) sort = Sort.NEWEST;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw FoveaException.invalid("a page of runs holds 1 to " + MAX_LIMIT + " runs, not " + limit);
        }
        if (offset < 0) throw FoveaException.invalid("a page of runs cannot start at " + offset + " (0 or more)");
    }

    /** Every run, newest first, in pages of {@code limit}. */
    public static RunQuery all(int limit) {
        return new RunQuery(null, null, null, null, null, null, List.of(), Sort.NEWEST, limit, 0);
    }

    /** Where a named value of a run lives. */
    public enum Field {
        /** A training setting (or an MLflow run's param): text, compared as a number when both sides are numbers. */
        PARAM("params"),
        /** A metric logged over steps, summarised by its minimum, maximum or last value. */
        METRIC("metrics"),
        /** A headline result (test accuracy, best epoch, ...). */
        SUMMARY("summary");

        private final String prefix;

        Field(String prefix) {
            this.prefix = prefix;
        }

        /** How a filter or sort names it: {@code params}, {@code metrics} or {@code summary}. */
        public String prefix() {
            return prefix;
        }

        static Field of(String prefix) {
            for (Field f : values()) if (f.prefix.equals(prefix) || f.prefix.equals(prefix + "s")) return f;
            return null;
        }
    }

    /** Which of a metric's values stands for the run. */
    public enum Aggregate {
        MIN, MAX, LAST;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Aggregate parse(String word) {
            for (Aggregate a : values()) if (a.word().equalsIgnoreCase(word.trim())) return a;
            throw FoveaException.invalid("'" + word + "' is not a way to sum up a metric (min, max or last)");
        }
    }

    /**
     * A metric's best value: the minimum for losses and errors (a name containing {@code loss} or {@code error}),
     * else the maximum.
     */
    public static Aggregate best(String metric) {
        String m = metric.toLowerCase(Locale.ROOT);
        return m.contains("loss") || m.contains("error") ? Aggregate.MIN : Aggregate.MAX;
    }

    public enum Op {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        private final String sql;

        Op(String sql) {
            this.sql = sql;
        }

        /** The operator in SQL (the same as in a filter, but {@code !=} is {@code <>}). */
        public String sql() {
            return this == NE ? "<>" : sql;
        }

        public String symbol() {
            return sql;
        }

        static Op of(String symbol) {
            for (Op o : values()) if (o.sql.equals(symbol)) return o;
            return symbol.equals("==") ? EQ : symbol.equals("<>") ? NE : null;
        }
    }

    /**
     * One filter: {@code field.name op value}. {@code number} is the value read as a number (null when it is not
     * one); a metric compares its {@code aggregate}, a param its number when it has one, else its text.
     */
    public record Condition(Field field, String name, Op op, String text, Double number, Aggregate aggregate) {
        public Condition {
            if (field != Field.PARAM && number == null) {
                throw FoveaException.invalid(field.prefix() + "." + name + " is a number; '" + text + "' is not one");
            }
            if (field == Field.METRIC && aggregate == null) aggregate = best(name);
        }
    }

    /**
     * The order of the page: by a run attribute ({@code field} null; {@code name} is {@code id}, {@code created},
     * {@code status} or {@code dataset}) or by a named value, runs without that value last, ties newest first.
     */
    public record Sort(Field field, String name, Aggregate aggregate, boolean descending) {
        static final List<String> ATTRIBUTES = List.of("id", "created", "status", "dataset"); // before NEWEST uses it
        public static final Sort NEWEST = new Sort(null, "id", null, true);

        public Sort {
            if (field == null && !ATTRIBUTES.contains(name)) {
                throw FoveaException.invalid("runs cannot be sorted by '" + name + "': use one of "
                        + String.join(", ", ATTRIBUTES) + ", or params.NAME, metrics.NAME, summary.NAME");
            }
            if (field == Field.METRIC && aggregate == null) aggregate = best(name);
        }

        /**
         * Reads a sort key as the page and {@code /api/runs?sort=} give it: an attribute, or {@code params.lr},
         * {@code metrics.val_loss} (its best value unless {@code aggregate} says otherwise), {@code summary.test_accuracy}.
         */
        public static Sort parse(String key, String aggregate, boolean descending) {
            if (key == null || key.isBlank()) return NEWEST;
            String k = key.trim();
            int dot = k.indexOf('.');
            Field f = dot < 0 ? null : Field.of(k.substring(0, dot));
            if (f == null) return new Sort(null, k, null, descending);
            String name = RunFilter.name(k.substring(dot + 1), key);
            return new Sort(f, name, f == Field.METRIC && aggregate != null && !aggregate.isBlank()
                    ? Aggregate.parse(aggregate) : null, descending);
        }

        /** The key as {@link #parse} reads it. */
        public String key() {
            return field == null ? name : field.prefix() + "." + name;
        }
    }
}
