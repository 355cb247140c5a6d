package dev.fovea.app.cli;

import java.nio.file.Path;

/** Lets tests in other packages find the repository root the way the CLI tests do. */
public final class CliRunAccess {
    private CliRunAccess() {}

    public static Path repoRoot() {
        return CliRun.repoRoot();
    }
}
