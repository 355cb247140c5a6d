package dev.fovea.bench.support;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/** An ordered JSON object built field by field; {@link #toString()} is its one line of JSON. */
public final class JsonObject {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    /** An object of alternating names and values: {@code of("min", 1, "max", 9)}. */
    public static JsonObject of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("JsonObject.of takes names and values in pairs, not " + namesAndValues.length
                    + " arguments");
        }
        JsonObject o = new JsonObject();
        for (int i = 0; i < namesAndValues.length; i += 2) o.put((String) namesAndValues[i], namesAndValues[i + 1]);
        return o;
    }

    public JsonObject put(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    @JsonValue
    public Map<String, Object> fields() {
        return fields;
    }

    @Override
    public String toString() {
        return Json.write(this);
    }
}
