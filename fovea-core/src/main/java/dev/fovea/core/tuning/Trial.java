package dev.fovea.core.tuning;

import java.util.List;
import java.util.Map;

/**
 * One trial of a study as samplers and pruners see it: its number, state, the parameter values it was given (only
 * the active ones), its final objective value (complete trials) and the value reported after each epoch.
 */
public record Trial(int number, State state, Map<String, Object> params, Double value, List<Double> curve) {
    public enum State {
        QUEUED, RUNNING, COMPLETE, PRUNED, FAILED, STOPPED
    }

    public Trial {
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        curve = curve == null ? List.of() : List.copyOf(curve);
    }

    /** The last value it reported: its final value when complete, where pruning stopped it otherwise. */
    public Double lastValue() {
        if (value != null) return value;
        return curve.isEmpty() ? null : curve.get(curve.size() - 1);
    }
}
