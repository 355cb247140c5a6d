package dev.fovea.core.tuning;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One parameter of a search space: {@code int} and {@code float} ranges (either on a log scale, either with a
 * {@code step}), a {@code choice} among values, a {@code bool}, or a {@code fixed} value; active only while every
 * value its {@code when} names is assigned. Samplers work on numbers in {@link #internalLow()} to
 * {@link #internalHigh()} (the logarithm for log ranges) and on choice indexes.
 */
public record Param(String name, Type type, double low, double high, boolean log, double step, List<Object> values,
        Map<String, Object> when) {

    public enum Type {
        INT, FLOAT, CHOICE, BOOL, FIXED;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Set<String> RANGE_FIELDS = Set.of("type", "low", "high", "log", "step", "when");

    public Param {
        values = values == null ? List.of() : List.copyOf(values);
        when = when == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(when));
    }

    /** Whether the values assigned so far make this parameter active. */
    public boolean activeUnder(Map<String, Object> assigned) {
        for (var c : when.entrySet()) {
            if (!assigned.containsKey(c.getKey()) || !same(assigned.get(c.getKey()), c.getValue())) return false;
        }
        return true;
    }

    public boolean numeric() {
        return type == Type.INT || type == Type.FLOAT;
    }

    /** The choices of a categorical parameter (a bool's are false and true); a fixed one has its one value. */
    public List<Object> choices() {
        return type == Type.BOOL ? List.of(false, true) : values;
    }

    public double internalLow() {
        return log ? Math.log(low) : low;
    }

    public double internalHigh() {
        return log ? Math.log(high) : high;
    }

    /** A number of the internal range as the parameter's value: rounded to the step (integers: 1), within bounds. */
    public Object fromInternal(double x) {
        double v = log ? Math.exp(x) : x;
        if (step > 0) v = low + Math.round((v - low) / step) * step;
        v = Math.max(low, Math.min(high, v));
        if (type == Type.INT) return (int) Math.round(v);
        return v;
    }

    /** A value as a number of the internal range. */
    public double toInternal(Object value) {
        double v = ((Number) value).doubleValue();
        return log ? Math.log(v) : v;
    }

    /** Whether the parameter can take the value (for {@code when} conditions). */
    boolean canTake(Object value) {
        return switch (type) {
            case INT, FLOAT -> value instanceof Number n && n.doubleValue() >= low && n.doubleValue() <= high;
            case CHOICE, BOOL, FIXED -> choices().stream().anyMatch(c -> same(c, value));
        };
    }


    /** Every value worth checking: both ends of a range, every choice. */
    List<Object> extremes() {
        return numeric() ? List.of(fromInternal(internalLow()), fromInternal(internalHigh())) : choices();
    }

    /** Compares a condition's value with an assigned one: numbers by value, text as written. */
    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
        return Objects.equals(a, b) || a != null && b != null && a.toString().equals(b.toString());
    }

    static Param fromMap(String name, Map<String, ?> m) {
        String field = "params." + name;
        Object t = m.get("type");
        Type type;
        try {
            type = Type.valueOf(String.valueOf(t).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw FoveaException.invalid("search space field '" + field + ".type' is '" + t
                    + "', not one of int, float, choice, bool, fixed");
        }
        Map<String, Object> when = new LinkedHashMap<>();
        if (m.containsKey("when")) SearchSpace.map(m.get("when"), field + ".when").forEach(when::put);
        return switch (type) {
            case INT, FLOAT -> range(name, type, m, when);
            case CHOICE -> {
                only(m, field, Set.of("type", "values", "when"));
                if (!(m.get("values") instanceof List<?> list) || list.isEmpty()) {
                    throw FoveaException.invalid("search space field '" + field + ".values' must be a non-empty list");
                }
                if (list.stream().anyMatch(java.util.Objects::isNull)) throw FoveaException.invalid("search space field '" + field + ".values' holds an empty value");
                if (list.stream().distinct().count() != list.size()) {
                    throw FoveaException.invalid("search space field '" + field + ".values' lists a value twice: " + list);
                }
                yield new Param(name, type, 0, 0, false, 0, new ArrayList<>(list), when);
            }
            case BOOL -> {
                only(m, field, Set.of("type", "when"));
                yield new Param(name, type, 0, 0, false, 0, List.of(), when);
            }
            case FIXED -> {
                only(m, field, Set.of("type", "value", "when"));
                Object v = m.get("value");
                if (v == null) throw FoveaException.invalid("search space field '" + field + ".value' is missing");
                yield new Param(name, type, 0, 0, false, 0, List.of(v), when);
            }
        };
    }

    private static Param range(String name, Type type, Map<String, ?> m, Map<String, Object> when) {
        String field = "params." + name;
        only(m, field, RANGE_FIELDS);
        double low = number(m, field, "low"), high = number(m, field, "high");
        if (!(low < high)) {
            throw FoveaException.invalid("search space field '" + field + "': low " + fmt(low) + " must be below high "
                    + fmt(high));
        }
        Object logValue = m.get("log");
        if (logValue != null && !(logValue instanceof Boolean)) {
            throw FoveaException.invalid("search space field '" + field + ".log' must be true or false, not '" + logValue + "'");
        }
        boolean log = Boolean.TRUE.equals(logValue);
        if (log && low <= 0) {
            throw FoveaException.invalid("search space field '" + field + "': a log range needs low above 0, not " + fmt(low));
        }
        double step = m.containsKey("step") ? number(m, field, "step") : (type == Type.INT ? 1 : 0);
        if (m.containsKey("step") && !(step > 0)) {
            throw FoveaException.invalid("search space field '" + field + ".step' must be above 0, not " + fmt(step));
        }
        if (log && m.containsKey("step")) {
            throw FoveaException.invalid("search space field '" + field + "': log and step cannot be combined");
        }
        if (type == Type.INT && (low != Math.rint(low) || high != Math.rint(high) || step != Math.rint(step))) {
            throw FoveaException.invalid("search space field '" + field + "': an int range needs whole numbers, not "
                    + fmt(low) + " to " + fmt(high) + " step " + fmt(step));
        }
        return new Param(name, type, low, high, log, step, List.of(), when);
    }

    private static void only(Map<String, ?> m, String field, Set<String> allowed) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw FoveaException.invalid("search space field '" + field + "' has an unknown field '" + k + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static double number(Map<String, ?> m, String field, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw FoveaException.invalid("search space field '" + field + "." + key + "' must be a number, not '" + v + "'");
        }
        return n.doubleValue();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
