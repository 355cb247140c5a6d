package dev.fovea.core.project;

import dev.fovea.core.FoveaException;
import java.util.regex.Pattern;

/** Project names are used in URLs and paths: lowercase letters, digits and dashes, starting with a letter or digit. */
public final class ProjectName {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private ProjectName() {}

    public static String check(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw FoveaException.invalid("project name '" + name
                    + "' is not valid: use 1 to 63 lowercase letters, digits and dashes, starting with a letter or digit");
        }
        return name;
    }
}
