package dev.fovea.core.project;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Class names are free text within limits: they come from folder names and CSV files and appear in the UI. */
public final class ClassName {
    public static final int MAX_LENGTH = 100;

    private ClassName() {}

    public static String check(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_LENGTH || !name.strip().equals(name)
                || name.chars().anyMatch(c -> c == ',' || Character.isISOControl(c))) {
            throw FoveaException.invalid("class name '" + name + "' is not valid: use 1 to " + MAX_LENGTH
                    + " characters without commas, control characters or surrounding spaces");
        }
        return name;
    }

    /** Parses "a,b,c" as given on a command line; rejects duplicates. */
    public static List<String> parseList(String commaSeparated) {
        List<String> names = new ArrayList<>();
        for (String part : commaSeparated.split(",", -1)) {
            names.add(check(part.strip()));
        }
        if (new LinkedHashSet<>(names).size() != names.size()) {
            throw FoveaException.invalid("class list '" + commaSeparated + "' names a class twice");
        }
        return names;
    }
}
