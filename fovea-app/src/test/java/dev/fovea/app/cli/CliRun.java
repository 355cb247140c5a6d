package dev.fovea.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs the real CLI in this JVM against a folder, capturing what it prints. */
record CliRun(int exitCode, String stdout, String stderr) {
    static CliRun in(Path cwd, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = new Cli(env, cwd, cwd.resolve("home"), repoRoot(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false).run(args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static CliRun in(Path cwd, String... args) {
        return in(cwd, Map.of(), args);
    }

    /** stdout parsed as the one JSON document it must be. */
    JsonNode json() {
        try {
            return new ObjectMapper().readTree(stdout);
        } catch (Exception e) {
            throw new AssertionError("stdout is not one JSON document: " + e.getMessage() + "\n" + stdout + "\nstderr:\n" + stderr);
        }
    }

    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (p.resolve("samples").toFile().isDirectory() && p.resolve("fovea").toFile().isFile()) return p;
        }
        throw new IllegalStateException("repository root not found");
    }
}
