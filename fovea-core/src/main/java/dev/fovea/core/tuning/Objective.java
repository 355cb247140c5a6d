package dev.fovea.core.tuning;

import dev.fovea.core.FoveaException;
import java.util.Locale;
import java.util.Map;

/** What a study optimizes: a metric the trials report after each epoch, and whether more or less is better. */
public record Objective(String metric, boolean maximize) {
    public static Objective fromMap(Map<String, ?> m) {
        Object metric = m.get("metric"), direction = m.get("direction");
        if (!(metric instanceof String name) || name.isBlank()) {
            throw FoveaException.invalid("search space field 'objective.metric' must name a metric, e.g. val_accuracy");
        }
        String d = direction == null ? "" : direction.toString().toLowerCase(Locale.ROOT);
        if (!d.equals("maximize") && !d.equals("minimize")) {
            throw FoveaException.invalid("search space field 'objective.direction' must be maximize or minimize, not '"
                    + direction + "'");
        }
        return new Objective(name, d.equals("maximize"));
    }

    /** True when {@code a} is better than {@code b}. */
    public boolean better(double a, double b) {
        return maximize ? a > b : a < b;
    }

    /** The value as a loss: smaller is better, whatever the direction. */
    public double loss(double value) {
        return maximize ? -value : value;
    }
}
