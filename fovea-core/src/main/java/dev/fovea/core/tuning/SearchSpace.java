package dev.fovea.core.tuning;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * What a study searches: the objective and the parameters, in the order they are written, each with an optional
 * condition ({@code when}) on earlier ones. An inactive parameter is absent from a trial, never a placeholder.
 * Read from the map a YAML file gives ({@link #fromMap}); every problem is refused naming the field.
 */
public record SearchSpace(Objective objective, List<Param> params) {

    public SearchSpace {
        params = List.copyOf(params);
    }

    /**
     * The key check of a space of training settings: every name a key of {@code fovea train}, every value one that
     * its validation accepts (the same {@link TrainSettings#parse}), refused naming the parameter.
     */
    public static final BiConsumer<String, Object> TRAINING_SETTINGS = (key, value) -> {
        if (!TrainSettings.KEYS.contains(key)) {
            throw FoveaException.invalid("search space parameter '" + key + "' is not a training setting; known: "
                    + String.join(", ", TrainSettings.KEYS));
        }
        try {
            TrainSettings.parse(Map.of(key, value));
        } catch (FoveaException e) {
            throw FoveaException.invalid("search space parameter '" + key + "' can take " + value + ", which fovea train"
                    + " refuses: " + e.getMessage());
        }
    };

    /** The parameters active under the values assigned so far, not yet assigned, in order. */
    public List<Param> activeUnassigned(Map<String, Object> assigned) {
        List<Param> out = new ArrayList<>();
        for (Param p : params) if (!assigned.containsKey(p.name()) && p.activeUnder(assigned)) out.add(p);
        return out;
    }

    /**
     * Assigns parameters group by group: first those without conditions, then those their values make active, and
     * so on. {@code sampleGroup} fills in the values of one group.
     */
    public Map<String, Object> assign(BiConsumer<List<Param>, Map<String, Object>> sampleGroup) {
        Map<String, Object> assigned = new LinkedHashMap<>();
        for (List<Param> group = activeUnassigned(assigned); !group.isEmpty(); group = activeUnassigned(assigned)) {
            sampleGroup.accept(group, assigned);
            for (Param p : group) {
                if (!assigned.containsKey(p.name())) {
                    throw new IllegalStateException("the sampler left parameter " + p.name() + " unassigned");
                }
            }
        }
        return assigned;
    }

    /**
     * A space from a parsed YAML map: {@code objective: {metric, direction}} and {@code params: {NAME: {type, ...}}}.
     * {@code keyCheck} refuses names and values the trials could not use (for training: not a training setting, or a
     * value {@code fovea train} would refuse); it is called with each parameter name and each value it can take
     * (both bounds of a range, every choice).
     */
    public static SearchSpace fromMap(Map<String, ?> doc, BiConsumer<String, Object> keyCheck) {
        if (doc == null) throw FoveaException.invalid("search space is empty");
        for (String key : doc.keySet()) {
            if (!Set.of("objective", "params").contains(key)) {
                throw FoveaException.invalid("search space has an unknown field '" + key + "' (known: objective, params)");
            }
        }
        Objective objective = Objective.fromMap(map(doc.get("objective"), "objective"));
        Map<String, ?> raw = map(doc.get("params"), "params");
        if (raw.isEmpty()) throw FoveaException.invalid("search space field 'params' has no parameters");
        List<Param> params = new ArrayList<>();
        for (var e : raw.entrySet()) {
            Param p = Param.fromMap(e.getKey(), map(e.getValue(), "params." + e.getKey()));
            for (Object v : p.extremes()) keyCheck.accept(p.name(), v);
            params.add(p);
        }
        checkConditions(params);
        return new SearchSpace(objective, params);
    }

    /** Each {@code when} names an earlier parameter and a value it can take. */
    private static void checkConditions(List<Param> params) {
        Map<String, Param> earlier = new LinkedHashMap<>();
        for (Param p : params) {
            for (var c : p.when().entrySet()) {
                Param other = earlier.get(c.getKey());
                if (other == null) {
                    throw FoveaException.invalid("search space parameter '" + p.name() + "': 'when' names '" + c.getKey()
                            + "', which is not a parameter written before it");
                }
                if (!other.canTake(c.getValue())) {
                    throw FoveaException.invalid("search space parameter '" + p.name() + "': 'when' wants " + c.getKey()
                            + " = " + c.getValue() + ", a value " + c.getKey() + " cannot take");
                }
            }
            earlier.put(p.name(), p);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, ?> map(Object value, String field) {
        if (value == null) throw FoveaException.invalid("search space field '" + field + "' is missing");
        if (!(value instanceof Map<?, ?> m)) {
            throw FoveaException.invalid("search space field '" + field + "' must be a map, not '" + value + "'");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) throw FoveaException.invalid("search space field '" + field + "' has a key '" + k + "' that is not text");
        }
        return (Map<String, ?>) m;
    }
}
