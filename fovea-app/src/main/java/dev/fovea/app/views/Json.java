package dev.fovea.app.views;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small JSON documents built in code, with their keys in the order written: {@code Map.of} has none. */
public final class Json {
    private Json() {}

    /** {@code object("a", 1, "b", 2)}: an unmodifiable map keeping the keys in the order given. */
    @SuppressWarnings("unchecked")
    public static <V> Map<String, V> object(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("keys and values come in pairs");
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object key = keysAndValues[i], value = keysAndValues[i + 1];
            if (!(key instanceof String k) || value == null) throw new IllegalArgumentException("key " + key + " or its value is missing");
            if (out.put(k, value) != null) throw new IllegalArgumentException("key " + k + " is given twice");
        }
        return (Map<String, V>) Collections.unmodifiableMap(out);
    }
}
