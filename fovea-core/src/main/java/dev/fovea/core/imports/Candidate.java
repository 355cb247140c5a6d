package dev.fovea.core.imports;

import java.io.IOException;
import java.io.InputStream;

/**
 * One file found in an imported folder or zip: its path relative to that root (with '/' separators), the label
 * its folder gives (null for loose files), and how to open it. {@code unsafe} holds a reason when the entry must
 * not be read at all (a path leaving the root).
 */
record Candidate(String path, String folderLabel, Opener opener, String unsafe) {
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    static Candidate unsafe(String path, String why) {
        return new Candidate(path, null, null, why);
    }
}
