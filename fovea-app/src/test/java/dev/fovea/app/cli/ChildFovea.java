package dev.fovea.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fovea in a child JVM, started through {@code sh -c 'umask 022; exec java ...'} so that it runs under the umask
 * most systems give a login shell (and not whatever this JVM has), with this JVM's class path. For what only a
 * separate process shows: the modes of the files it creates, what it prints on stderr, its resident memory.
 */
final class ChildFovea implements AutoCloseable {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ChildFovea(Process process) {
        this.process = process;
        this.reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                lines.add("(reading the child's output failed: " + e + ")");
            }
        });
    }

    static List<String> command(Path workspace, List<String> jvm, String... args) {
        List<String> c = new ArrayList<>(List.of("sh", "-c", "umask 022; exec \"$@\"", "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        c.addAll(jvm);
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Dfovea.home=" + CliRun.repoRoot(),
                dev.fovea.app.Main.class.getName(), "--workspace", workspace.toString()));
        // The tests' shared cache (libtorch unpacked once), unless the command names its own.
        if (!List.of(args).contains("--cache")) c.addAll(List.of("--cache", TrainingCommandsIT.ENV.get("FOVEA_CACHE")));
        c.addAll(List.of(args));
        return c;
    }

    /** Starts it; stdout and stderr together land in {@link #lines}. */
    static ChildFovea start(Path workspace, List<String> jvm, String... args) throws IOException {
        Files.createDirectories(workspace.getParent());
        return new ChildFovea(new ProcessBuilder(command(workspace, jvm, args)).directory(workspace.getParent().toFile())
                .redirectErrorStream(true).start());
    }

    /** Runs a command to its end and returns its stdout as JSON (the command must take --json). */
    static JsonNode json(Path workspace, String... args) throws Exception {
        Answer a = answer(workspace, args);
        if (a.exit != 0) throw new AssertionError("fovea " + String.join(" ", args) + " failed: " + a.json.toPrettyString());
        return a.json;
    }

    /**
     * Runs a command to its end and returns its JSON: what it printed, or when it failed its error object (for
     * polling something another process has not made yet).
     */
    static JsonNode jsonOrError(Path workspace, String... args) throws Exception {
        Answer a = answer(workspace, args);
        if (a.exit != 0 && !a.json.has("error")) {
            throw new AssertionError("fovea " + String.join(" ", args) + " exited " + a.exit + " with: " + a.json);
        }
        return a.json;
    }

    private record Answer(int exit, JsonNode json) {}

    private static Answer answer(Path workspace, String... args) throws Exception {
        Process p = new ProcessBuilder(command(workspace, List.of("-Xmx256m"), args)).directory(workspace.getParent().toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) throw new AssertionError("fovea " + String.join(" ", args) + " hung: " + out);
        try {
            JsonNode json = new ObjectMapper().readTree(out);
            if (json == null) throw new AssertionError("fovea " + String.join(" ", args) + " printed nothing");
            return new Answer(p.exitValue(), json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("fovea " + String.join(" ", args) + " (exit " + p.exitValue() + ") printed no JSON: " + out);
        }
    }

    /** Waits for the server's "Fovea is serving ... at http://host:port/" line and returns the port. */
    int port() throws InterruptedException {
        Pattern url = Pattern.compile("Fovea is serving .* at http://[^:]+:(\\d+)/");
        for (int i = 0; i < 600; i++) {
            for (String line : lines) {
                Matcher m = url.matcher(line);
                if (m.find()) return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive()) break;
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not start: " + String.join("\n", lines));
    }

    /** The child's resident memory in bytes (VmRSS in /proc/PID/status). */
    long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        throw new IllegalStateException("no VmRSS for process " + process.pid());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the shutdown hook closes the server and the database
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        reader.join(5_000);
    }
}
