package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fovea opens no network connection of its own besides the database (and, when asked, {@code fovea weights fetch}
 * and the Custom Vision {@code /url} routes to hosts the user lists): {@code train}, {@code check}, {@code serve}
 * and {@code server} run as their own processes under strace, which logs every connect(2) of the JVM and of
 * libtorch alike. On an embedded workspace there is no database connection either: no connect to any inet
 * address is allowed, but to the process's own listening sockets (H2's AUTO_SERVER, which lets a second local
 * process open the workspace, checks its own TCP server so) and local sockets (such as the name service cache's).
 */
class NoConnectionsIT {
    @TempDir static Path cwd;
    static final Pattern INET = Pattern.compile("connect\\(\\d+, \\{sa_family=AF_INET6?,[^}]*\\}");
    static final Pattern LISTEN = Pattern.compile("^\\d+\\s+listen\\((\\d+),");
    static final Pattern OWN_ADDRESS = Pattern.compile("^\\d+\\s+getsockname\\((\\d+), \\{sa_family=AF_INET6?, sin6?_port=htons\\((\\d+)\\)");
    static final Pattern CONNECT = Pattern.compile("sin6?_port=htons\\((\\d+)\\).*(\"::ffff:127\\.|\"127\\.|\"::1\")");

    @BeforeAll
    static void workspace() {
        assertThat(Files.isExecutable(Path.of("/usr/bin/strace"))).as("strace is installed (scripts/install-test-deps.sh)").isTrue();
        TrainingCommandsIT.importFashion(cwd, 20, Set.of(1, 8));
        assertThat(TrainingCommandsIT.fovea(cwd, "dataset", "freeze", "--project", "fm").exitCode()).isZero();
        CliRun trained = TrainingCommandsIT.fovea(cwd, TrainingCommandsIT.concat(new String[] {"train", "--project", "fm",
                "--dataset", "1", "--epochs", "1", "--json"}, TrainingCommandsIT.FAST));
        assertThat(trained.exitCode()).as(trained.stderr()).isZero();
        assertThat(TrainingCommandsIT.fovea(cwd, "model", "register", "--run", trained.json().get("run").asText(),
                "--name", "fm", "--alias", "production").exitCode()).isZero();
    }

    /** The command as its own JVM under strace, logging connect(2) of every thread and child to {@code log}. */
    static ProcessBuilder traced(Path log, String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/strace", "-f", "-qq", "-e", "trace=connect,listen,getsockname", "-o",
                log.toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m", "-cp",
                System.getProperty("java.class.path"), "-Dfovea.home=" + CliRun.repoRoot(), dev.fovea.app.Main.class.getName(),
                "--workspace", cwd.resolve("fovea-data").toString(), "--cache", TrainingCommandsIT.ENV.get("FOVEA_CACHE")));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
    }

    /** The process's connects to inet addresses, but those to its own listening sockets on this machine. */
    static List<String> inetConnects(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).as("strace logged the process").isNotEmpty();
        Set<String> listening = new java.util.HashSet<>(), ownPorts = new java.util.HashSet<>();
        for (String l : lines) {
            Matcher m = LISTEN.matcher(l);
            if (m.find()) listening.add(m.group(1));
        }
        for (String l : lines) {
            Matcher m = OWN_ADDRESS.matcher(l);
            if (m.find() && listening.contains(m.group(1)) && !m.group(2).equals("0")) ownPorts.add(m.group(2));
        }
        return lines.stream().filter(l -> INET.matcher(l).find()).filter(l -> {
            Matcher m = CONNECT.matcher(l);
            return !(m.find() && ownPorts.contains(m.group(1)));
        }).toList();
    }

    static void runs(String name, String... args) throws Exception {
        Path log = cwd.resolve(name + ".strace");

        Process p = traced(log, args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(inetConnects(log)).as("inet connections of fovea " + name).isEmpty();
    }

    @Test
    void trainAndCheckConnectToNothing() throws Exception {
        runs("train", TrainingCommandsIT.concat(new String[] {"train", "--project", "fm", "--dataset", "1", "--epochs", "1"},
                TrainingCommandsIT.FAST));
        runs("check", "check", "--project", "fm");
    }

    @Test
    void theCheckSeesTheConnectionThatFetchOpens() throws Exception {
        Path log = cwd.resolve("fetch.strace");
        Process p = traced(log, "weights", "fetch", "http://127.0.0.1:1/models/net-12345678.pth", "--arch", "resnet18",
                "--name", "net").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(inetConnects(log)).as("fetch's connection to port 1, refused").anyMatch(l -> l.contains("htons(1)"));
    }

    @Test
    void serveAndServerConnectToNothingWhileAnswering() throws Exception {
        serves("serve", Pattern.compile("at (http://[^ ]+):(\\d+)/v2/models/fm"), "/v2/health/ready", "-s",
                "server.host=127.0.0.1", "serve", "--model", "fm", "--port", "0");
        serves("server", Pattern.compile("at (http://[^ ]+):(\\d+)/"), "/api/health", "-s", "server.host=127.0.0.1",
                "server", "--port", "0");
    }

    /** Starts a server under strace, asks it {@code path} once, stops it, and reads what it connected to. */
    static void serves(String name, Pattern ready, String path, String... args) throws Exception {
        Path log = cwd.resolve(name + ".strace");
        Process p = traced(log, args).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            Matcher m = null;
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher found = ready.matcher(line);
                if (found.find()) {
                    m = found;
                    break;
                }
            }
            assertThat(m).as(seen.toString()).isNotNull();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + m.group(2) + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(name + " answers " + path).isEqualTo(200);
        } finally {
            p.descendants().forEach(ProcessHandle::destroy); // SIGTERM to the JVM; strace exits after it
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        assertThat(inetConnects(log)).as("inet connections of fovea " + name).isEmpty();
    }
}
