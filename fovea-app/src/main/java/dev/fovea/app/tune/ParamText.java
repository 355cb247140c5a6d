package dev.fovea.app.tune;

import dev.fovea.core.FoveaException;

/** A trial parameter as text on a child's command line, {@code KIND:VALUE} (f, i, b or s), and back. */
final class ParamText {
    private ParamText() {}

    static String format(Object v) {
        String kind = v instanceof Boolean ? "b" : v instanceof Double || v instanceof Float ? "f" : v instanceof Number ? "i" : "s";
        return kind + ":" + v;
    }

    static Object parse(String text) {
        if (text.length() < 2 || text.charAt(1) != ':') throw FoveaException.invalid("trial parameter '" + text + "' is not KIND:VALUE");
        String v = text.substring(2);
        return switch (text.charAt(0)) {
            case 'f' -> Double.parseDouble(v);
            case 'i' -> Long.parseLong(v);
            case 'b' -> Boolean.parseBoolean(v);
            default -> v;
        };
    }
}
