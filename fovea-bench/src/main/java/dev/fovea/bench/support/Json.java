package dev.fovea.bench.support;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * The benchmarks' result lines and the JSON they send and read, with Jackson. Maps keep their order (use a
 * {@code LinkedHashMap} or {@link JsonObject}); a NaN or infinite number is written as {@code null}, as "not
 * measured".
 */
public final class Json {
    private static final ObjectMapper EXACT = mapper(-1);
    private static final ObjectMapper[] ROUNDED = {mapper(0), mapper(1), mapper(2), mapper(3), mapper(4)};
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private Json() {}

    /** One line of JSON; numbers as Java writes them. */
    public static String write(Object value) {
        return write(EXACT, value);
    }

    /** One line of JSON with every floating-point number rounded to {@code decimals} places (0 to 4). */
    public static String write(Object value, int decimals) {
        if (decimals < 0 || decimals >= ROUNDED.length) {
            throw new IllegalArgumentException("decimals must be 0 to " + (ROUNDED.length - 1) + ", not " + decimals);
        }
        return write(ROUNDED[decimals], value);
    }

    /** A JSON object as a map (nested objects are maps, arrays lists). */
    public static Map<String, Object> readObject(String json) {
        try {
            return EXACT.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object: " + cut(json) + " (" + e.getOriginalMessage() + ")", e);
        }
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    private static String cut(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static ObjectMapper mapper(int decimals) {
        JsonSerializer<Number> numbers = new JsonSerializer<>() {
            @Override
            public void serialize(Number n, JsonGenerator gen, SerializerProvider provider) throws IOException {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) gen.writeNull();
                else if (decimals < 0) gen.writeNumber(d);
                else gen.writeNumber(BigDecimal.valueOf(d).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros()
                        .toPlainString());
            }
        };
        SimpleModule module = new SimpleModule("bench-numbers");
        module.addSerializer(Double.class, numbers);
        module.addSerializer(double.class, numbers);
        module.addSerializer(Float.class, numbers);
        module.addSerializer(float.class, numbers);
        return new ObjectMapper().registerModule(module);
    }
}
