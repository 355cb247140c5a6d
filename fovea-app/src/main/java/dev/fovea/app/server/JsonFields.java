package dev.fovea.app.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed fields of a JSON request body, read strictly: a field of the wrong type is a 400 that names the field
 * and the value it had ({@code field 'duration_ms' must be a whole number, not "abc"}), never a silent 0, false
 * or "5". Jackson's {@code asLong()}, {@code asDouble()} and {@code asText()} coerce anything; routes read their
 * fields through here instead. An absent field, or {@code null}, takes the default.
 */
final class JsonFields {
    private JsonFields() {}

    /** The text, or null when absent. */
    static String text(JsonNode body, String field) {
        JsonNode v = value(body, field);
        if (v == null) return null;
        if (!v.isTextual()) throw wrong(field, "text", v);
        return v.asText();
    }

    static long wholeNumber(JsonNode body, String field, long absent) {
        JsonNode v = value(body, field);
        if (v == null) return absent;
        if (!v.isNumber() || !v.canConvertToExactIntegral() || !v.canConvertToLong()) throw wrong(field, "a whole number", v);
        return v.asLong();
    }

    static int integer(JsonNode body, String field, int absent) {
        JsonNode v = value(body, field);
        if (v == null) return absent;
        if (!v.isNumber() || !v.canConvertToExactIntegral() || !v.canConvertToInt()) throw wrong(field, "a whole number", v);
        return v.asInt();
    }

    static double number(JsonNode body, String field, double absent) {
        JsonNode v = value(body, field);
        if (v == null) return absent;
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) throw wrong(field, "a number", v);
        return v.asDouble();
    }

    static boolean bool(JsonNode body, String field, boolean absent) {
        JsonNode v = value(body, field);
        if (v == null) return absent;
        if (!v.isBoolean()) throw wrong(field, "true or false", v);
        return v.asBoolean();
    }

    /** An array of texts, or null when absent. */
    static List<String> texts(JsonNode body, String field) {
        JsonNode v = value(body, field);
        if (v == null) return null;
        if (!v.isArray()) throw wrong(field, "an array of texts", v);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) throw wrong(field + "[" + i + "]", "text", v.get(i));
            out.add(v.get(i).asText());
        }
        return out;
    }

    /** An object whose values are texts ({@code {"cat": "c"}}), or null when absent. */
    static Map<String, String> textMap(JsonNode body, String field) {
        JsonNode v = field == null ? body : value(body, field);
        if (v == null) return null;
        if (!v.isObject()) throw wrong(field, "an object of texts", v);
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : v.properties()) {
            String name = field == null ? e.getKey() : field + "." + e.getKey();
            if (e.getValue().isNull()) out.put(e.getKey(), null);
            else if (e.getValue().isTextual()) out.put(e.getKey(), e.getValue().asText());
            else throw wrong(name, "text", e.getValue());
        }
        return out;
    }

    private static JsonNode value(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static FoveaException wrong(String field, String expected, JsonNode v) {
        return FoveaException.invalid("field '" + field + "' must be " + expected + ", not " + describe(v));
    }

    /** The value as the client wrote it, shortened: "abc" with its quotes, 5, true, or [...] / {...}. */
    static String describe(JsonNode v) {
        String s = v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
