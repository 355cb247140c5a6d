package dev.fovea.app.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Azure's official Custom Vision prediction client (npm {@code @azure/cognitiveservices-customvision-prediction}
 * 5.1.2, see {@code fovea-app/src/test/node/customvision}) against a Fovea server, one call per Node.js process, so
 * that the compatibility tests check what the real client sends and accepts. JUnit-free: callers decide what to do
 * when {@link #available()} is false ({@code scripts/install-node-test-deps.sh} installs the packages).
 *
 * <p>{@link #classify} returns the one JSON line that {@code classify.mjs} prints:
 * {@code {"ok":true,"result":{id,project,iteration,created,predictions:[{probability,tagId,tagName,...}]}}} or
 * {@code {"ok":false,"status":<HTTP status or null>,"code":<error code or null>,"message":...}}.
 *
 * <p>The base URL must have no path (the client drops it). The client as shipped retries 408 and most 5xx answers,
 * and connection errors, 27 s to 90 s apart: pass {@link #NO_RETRY} in {@code env} when a test expects such an
 * answer, or it runs into the 60 s limit here. {@link #BASE_PATH} replaces the client's own
 * {@code /customvision/v3.1/prediction}, e.g. with {@code /customvision/v3.0/Prediction}.
 */
final class CustomVisionNodeClient {
    /** Environment entry that turns off the client's retry policies (see classify.mjs). */
    static final Map<String, String> NO_RETRY = Map.of("FOVEA_CV_NO_RETRY", "1");
    /** Environment variable naming the base path to use instead of the client's {@code /customvision/v3.1/prediction}. */
    static final String BASE_PATH = "FOVEA_CV_BASE_PATH";

    static final List<String> METHODS =
            List.of("classifyImage", "classifyImageWithNoStore", "classifyImageUrl", "classifyImageUrlWithNoStore");

    private static final long TIMEOUT_SECONDS = 60;
    private static final List<String> PROXY_VARIABLES =
            List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY");
    private static final ObjectMapper JSON = new ObjectMapper();

    private CustomVisionNodeClient() {}

    /** The folder holding package.json, package-lock.json, classify.mjs and (once installed) node_modules. */
    static Path nodeDir() {
        return repoRoot().resolve("fovea-app/src/test/node/customvision");
    }

    /** True when {@code node} is on the PATH and the npm packages are installed. */
    static boolean available() {
        Path dir;
        try {
            dir = nodeDir();
        } catch (IllegalStateException e) {
            return false;
        }
        return node() != null
                && Files.isRegularFile(dir.resolve("classify.mjs"))
                && Files.isDirectory(dir.resolve("node_modules/@azure/cognitiveservices-customvision-prediction"))
                && Files.isDirectory(dir.resolve("node_modules/@azure/ms-rest-js"));
    }

    /** Why {@link #available()} is false, for a skip or failure message. */
    static String unavailableReason() {
        if (node() == null) return "node is not on the PATH (Debian packages nodejs and npm)";
        return "npm packages missing in " + nodeDir() + ": run scripts/install-node-test-deps.sh";
    }

    static JsonNode classify(String baseUrl, String key, String projectId, String publishedName, String method, String arg) {
        return classify(baseUrl, key, projectId, publishedName, method, arg, Map.of());
    }

    /**
     * Calls {@code method} of the official client through {@code node classify.mjs} and returns its JSON line.
     *
     * @param arg an image file path for classifyImage and classifyImageWithNoStore (relative to this JVM's working
     *     folder), a URL for the url methods
     * @param env extra environment variables for the node process, e.g. {@link #NO_RETRY} or {@link #BASE_PATH}
     * @throws IllegalStateException when node cannot run, exits non-zero, runs past 60 s or prints anything but one
     *     JSON line; the message carries its stderr and stdout
     */
    static JsonNode classify(String baseUrl, String key, String projectId, String publishedName, String method,
            String arg, Map<String, String> env) {
        if (!METHODS.contains(method)) throw new IllegalArgumentException("unknown method " + method + ", one of " + METHODS);
        String node = node();
        if (node == null) throw new IllegalStateException(unavailableReason());
        Path dir = nodeDir();
        // node runs in the package folder: make a relative image path absolute from this JVM's folder first.
        String argument = method.startsWith("classifyImageUrl") ? arg : Path.of(arg).toAbsolutePath().toString();
        Path out = null, err = null;
        try {
            out = Files.createTempFile("fovea-cv-out", ".json");
            err = Files.createTempFile("fovea-cv-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(node, "classify.mjs", baseUrl, key, projectId, publishedName, method, argument)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // The tests talk to a local server: keep a proxy from the environment out of the way.
            PROXY_VARIABLES.forEach(pb.environment()::remove);
            pb.environment().putAll(env);
            String command = "node classify.mjs " + baseUrl + " <key> " + projectId + " " + publishedName + " " + method + " " + argument;
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(command + " ran past " + TIMEOUT_SECONDS + " s" + output(out, err));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command + " exited " + p.exitValue() + output(out, err));
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
            if (lines.size() != 1) {
                throw new IllegalStateException(command + " printed " + lines.size() + " lines, not one" + output(out, err));
            }
            try {
                return JSON.readTree(lines.get(0));
            } catch (IOException e) {
                throw new IllegalStateException(command + " printed no JSON: " + e.getMessage() + output(out, err));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running node", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static String output(Path out, Path err) {
        return "\nstderr:\n" + read(err) + "\nstdout:\n" + read(out);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }

    /** The absolute path of the first executable {@code node} on the PATH, or null. */
    private static String node() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            File candidate = new File(entry, "node");
            if (candidate.isFile() && candidate.canExecute()) return candidate.getAbsolutePath();
        }
        return null;
    }

    /** As dev.fovea.app.cli.CliRun.repoRoot(): the nearest folder up from here with samples/ and the fovea launcher. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (p.resolve("samples").toFile().isDirectory() && p.resolve("fovea").toFile().isFile()) return p;
        }
        throw new IllegalStateException("repository root not found");
    }
}
