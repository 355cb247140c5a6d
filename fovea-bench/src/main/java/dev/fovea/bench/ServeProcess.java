package dev.fovea.bench;

import static dev.fovea.bench.InferenceClient.cut;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code fovea serve} process of the serving benchmark: started, scraped, stopped. */
final class ServeProcess {
    private ServeProcess() {}

    private static final Pattern SERVER_URL = Pattern.compile("at http://[^\\s:/]+:(\\d+)/");

    /** A running {@code fovea serve} process. */
    record Server(Process process, int port, Path log, List<String> command, double startSeconds) {
        String url() {
            return "http://127.0.0.1:" + port;
        }

        long pid() {
            return process.pid();
        }
    }

    /** Settings that every part uses. */
    record Config(Path launcher, Path workspace, String serverHeap, String serverJavaOpts, Path logs, String predictToken,
            String adminToken, Path jcmd) {}

    static Server start(Config config, String model, String batching, String logName) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(config.launcher().toString(), "--workspace", config.workspace().toString(),
                "-s", "server.host=127.0.0.1"));
        if (batching.equals("off")) cmd.addAll(List.of("-s", "serving.max_batch=1", "-s", "serving.max_delay_ms=0"));
        cmd.addAll(List.of("serve", "--model", model, "--port", "0"));
        String opts = ("-Xmx" + config.serverHeap() + " " + config.serverJavaOpts()).strip();
        Path log = config.logs().resolve(logName + ".log");
        System.out.println("$ FOVEA_JAVA_OPTS='" + opts + "' " + String.join(" ", cmd).replace(config.launcher().toString(), "fovea"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("FOVEA_JAVA_OPTS", opts);
        pb.environment().put("FOVEA_NO_BUILD", "1");
        long t0 = System.nanoTime();
        Process process = pb.start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        try (http) {
            int port = -1;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the server exited (status " + process.exitValue() + "); its log "
                            + log + " ends: " + tail(log, 8));
                }
                if (port < 0) {
                    Matcher m = SERVER_URL.matcher(Files.readString(log, StandardCharsets.UTF_8));
                    if (m.find()) port = Integer.parseInt(m.group(1));
                }
                if (port > 0) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/v2/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            return new Server(process, port, log, cmd, (System.nanoTime() - t0) / 1e9);
                        }
                    } catch (IOException e) {
                        // not yet
                    }
                }
                Thread.sleep(200);
            }
            process.destroyForcibly();
            throw new IllegalStateException("no answer from /v2/health/ready within 180 s; log " + log + " ends: " + tail(log, 8));
        }
    }

    /** Stops a server with SIGTERM and says how it ended and what its log holds. */
    static String stop(Server server, String what) throws IOException, InterruptedException {
        server.process().destroy();
        boolean ended = server.process().waitFor(30, TimeUnit.SECONDS);
        if (!ended) server.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        List<String> lines = Files.readAllLines(server.log(), StandardCharsets.UTF_8);
        long nnpack = lines.stream().filter(l -> l.contains("Could not initialize NNPACK")).count();
        List<String> bad = lines.stream().filter(l -> l.contains("ERROR") || l.contains("WARN") || l.contains("Exception")).toList();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s: pid %d, %s; log %s: %d lines, of which %d"
                + " PyTorch warnings that NNPACK is unsupported here; %d with ERROR, WARN or Exception",
                what, server.pid(), ended ? "stopped with SIGTERM, exit status " + server.process().exitValue()
                        : "did not stop within 30 s of SIGTERM: killed", server.log().getFileName(), lines.size(), nnpack, bad.size()));
        for (String l : bad.stream().limit(5).toList()) s.append("\n    ").append(cut(l));
        return s.toString();
    }

    static String tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Sums of metric families from a Prometheus text scrape (all label sets added up), by family name. */
    static Map<String, Double> scrape(HttpClient http, Config config, Server server) {
        Map<String, Double> out = new TreeMap<>();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics"))
                    .header("Authorization", "Bearer " + config.adminToken()).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                out.put("_status", (double) r.statusCode());
                return out;
            }
            for (String line : r.body().split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                int space = line.lastIndexOf(' ');
                if (space < 0) continue;
                String key = line.substring(0, space);
                int brace = key.indexOf('{');
                String name = brace < 0 ? key : key.substring(0, brace);
                if (name.equals("jvm_memory_used_bytes") && key.contains("area=\"heap\"")) name = "jvm_memory_used_bytes:heap";
                try {
                    out.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
                } catch (NumberFormatException e) {
                    // NaN and such: not needed
                }
            }
        } catch (IOException e) {
            out.put("_status", 0.0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
    }
}
