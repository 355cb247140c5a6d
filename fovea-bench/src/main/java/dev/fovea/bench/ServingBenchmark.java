package dev.fovea.bench;

import dev.fovea.bench.support.ServerProbe;
import dev.fovea.core.imports.ImageDecoder;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.djl.DjlModelLoader;
import dev.fovea.djl.DjlRuntime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Model serving: latency and throughput of {@code fovea serve} (the Open Inference Protocol v2 route
 * {@code POST /v2/models/NAME/infer}) per model and batching setting, against the bare model call in this JVM,
 * and a soak at saturation with the server's memory sampled.
 *
 * <p><b>Bare call</b> (first, while no server runs): each model's exported bundle ({@code fovea model export}) is
 * loaded here with {@link DjlModelLoader} after {@link DjlRuntime#start} with {@code --threads} PyTorch threads
 * (the server starts DJL with as many as the machine has cores; ONNX Runtime sessions always get 2 intra-op
 * threads), every request image is decoded and preprocessed as the server does (timed), and
 * {@code predictor.probabilities} is timed on 1 image and on a batch of 16 for {@code --bare-seconds} each (after
 * at least 20 calls and 1 s of warm-up). The
 * one-image label of every image is kept: the server must answer the same label for it.
 *
 * <p><b>Load</b>: for each model and each batching setting ({@code on}: the defaults, {@code off}:
 * {@code serving.max_batch=1}, {@code serving.max_delay_ms=0}) a fresh server process is started with
 * {@code --launcher ... --workspace WS -s server.host=127.0.0.1 [-s ...] serve --model NAME --port 0}, its port
 * read from its log and {@code /v2/health/ready} awaited, and {@code --server-warmup} seconds of load at the highest
 * concurrency let the JIT compile the request path (not reported). Then for each concurrency c a closed loop: c virtual
 * threads, each with its own {@link HttpClient} (HTTP/1.1, so one kept-alive connection each), send one request at
 * a time, each holding one real image as base64 (the brief's body: {@code {"inputs":[{"name":"image",
 * "datatype":"BYTES","shape":[1],"data":["..."]}]}}), cycling through the images from their own offset;
 * {@code --warmup} seconds are not counted, then requests that complete in the next {@code --seconds} are. Per
 * phase: throughput, latency p50/p90/p99/max, answers by HTTP status, labels that differ from the bare call's,
 * the server's mean batch size and model time per batch (from {@code /metrics}, scraped before and after with the
 * admin token), and the CPU used by the server, this JVM and the whole machine.
 *
 * <p><b>Soak</b>: a fresh server for {@code --soak-model}, batching on, {@code --soak-concurrency} clients for
 * {@code --soak} seconds; every {@code --sample-every} seconds the server's VmRSS ({@code /proc/PID/status}), its
 * heap ({@code jvm_memory_used_bytes{area="heap"}} from {@code /metrics} if the server exports it, else
 * {@code jcmd PID GC.heap_info}), queue depth and answers so far; throughput and errors per 10 s window; 429s
 * counted apart from other errors. After the load a full GC ({@code jcmd GC.run}) gives the live heap.
 *
 * <pre>
 * FOVEA_TOKEN=PREDICT FOVEA_ADMIN_TOKEN=ADMIN java -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' \
 *     dev.fovea.bench.ServingBenchmark --launcher ./fovea --workspace /tmp/fovea-bench/serve-ws \
 *     --model emoji,emoji,/tmp/fovea-bench/serve-ws/exports/emoji.zip \
 *     --model tiny-ts,fashion,/tmp/.../tiny-ts.zip --model tiny-onnx,fashion,/tmp/.../tiny-onnx.zip \
 *     [--emoji samples/emoji/images] [--cache ~/.cache/fovea] [--threads N] [--concurrency 1,8,32] [--warmup 3]
 *     [--seconds 10] [--batching on,off] [--soak 60] [--soak-model emoji] [--soak-concurrency 32]
 *     [--sample-every 5] [--server-heap 1g] [--server-java-opts ...] [--jcmd PATH] [--logs DIR]
 *     [--fashion-per-class 100] [--bare-seconds 3] [--server-warmup 5] [--bare-only]
 * </pre>
 */
public final class ServingBenchmark {
    private static final Pattern SERVER_URL = Pattern.compile("at http://[^\\s:/]+:(\\d+)/");
    private static final int ERRORS_SHOWN = 3;

    private ServingBenchmark() {}

    /** A model under test: its registry name, which images it classifies, its exported bundle. */
    record ModelSpec(String name, String data, Path bundle) {}

    /** One request body and the label the bare call gave its image. */
    record Payload(String file, byte[] body, String expected) {}

    /** Latency statistics in milliseconds. */
    record Stats(int n, double p50, double p90, double p99, double max, double mean) {
        static Stats of(long[] nanos, int n) {
            if (n == 0) return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            long[] s = Arrays.copyOf(nanos, n);
            Arrays.sort(s);
            double sum = 0;
            for (long v : s) sum += v;
            return new Stats(n, ms(pct(s, 50)), ms(pct(s, 90)), ms(pct(s, 99)), ms(s[n - 1]), sum / n / 1e6);
        }

        private static long pct(long[] sorted, double p) { // nearest rank
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    /** The bare call of one model in this JVM. */
    record Bare(String model, String format, double loadMs, Stats prep, Stats one, Stats sixteen, double othersCpu) {}

    /** What one load phase measured. */
    record Phase(String model, String batching, int concurrency, double seconds, Stats latency,
            Map<Integer, Long> byStatus, long wrongLabels, double meanBatch, double modelMsPerBatch,
            double serverCpu, double clientCpu, double machineCpu, long rssKib, List<String> errorSamples) {
        long ok() {
            return byStatus.getOrDefault(200, 0L);
        }

        long errors() {
            return byStatus.entrySet().stream().filter(e -> e.getKey() != 200).mapToLong(Map.Entry::getValue).sum();
        }

        double throughput() {
            return ok() / seconds;
        }
    }

    /** Per-request records of one client. */
    static final class Records {
        long[] end = new long[1024], latency = new long[1024];
        int[] status = new int[1024];
        boolean[] wrong = new boolean[1024];
        int size;

        void add(long endNanos, long latencyNanos, int code, boolean wrongLabel) {
            if (size == end.length) {
                end = Arrays.copyOf(end, size * 2);
                latency = Arrays.copyOf(latency, size * 2);
                status = Arrays.copyOf(status, size * 2);
                wrong = Arrays.copyOf(wrong, size * 2);
            }
            end[size] = endNanos;
            latency[size] = latencyNanos;
            status[size] = code;
            wrong[size] = wrongLabel;
            size++;
        }
    }

    /** One closed-loop client: its own HTTP/1.1 connection, one request at a time until {@code until}. */
    static final class Client implements Runnable {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        final URI uri;
        final String token;
        final List<Payload> payloads;
        final int offset;
        final long until;
        final Records records = new Records();
        final LongAdder answered = new LongAdder(), refused = new LongAdder(), failed = new LongAdder(); // for progress lines
        final List<String> errors;

        Client(URI uri, String token, List<Payload> payloads, int offset, long until, List<String> errors) {
            this.uri = uri;
            this.token = token;
            this.payloads = payloads;
            this.offset = offset;
            this.until = until;
            this.errors = errors;
        }

        @Override
        public void run() {
            int i = offset;
            while (System.nanoTime() < until) {
                Payload p = payloads.get(i++ % payloads.size());
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(p.body())).build();
                long t0 = System.nanoTime();
                int code;
                String body;
                try {
                    HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    code = r.statusCode();
                    body = new String(r.body(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    code = 0;
                    body = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long t1 = System.nanoTime();
                boolean wrong = false;
                if (code == 200) {
                    String label = label(body);
                    wrong = label == null || !label.equals(p.expected());
                    if (wrong) note(errors, "label " + label + " for " + p.file() + ", bare call said " + p.expected()
                            + ": " + cut(body));
                } else {
                    note(errors, (code == 0 ? "no response" : "HTTP " + code) + " for " + p.file() + ": " + cut(body));
                }
                records.add(t1, t1 - t0, code, wrong);
                (code == 200 ? answered : code == 429 ? refused : failed).increment();
                if (code == 0) sleepQuietly(50); // a refused or broken connection: do not spin
            }
        }
    }

    private static void note(List<String> errors, String line) {
        synchronized (errors) {
            if (errors.size() < ERRORS_SHOWN) errors.add(line);
        }
    }

    private static String cut(String s) {
        s = s.replace('\n', ' ');
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** The first element of the "label" output of an OIP v2 JSON answer, or null. */
    static String label(String json) {
        int at = json.indexOf("\"name\":\"label\"");
        if (at < 0) return null;
        int data = json.indexOf("\"data\":[\"", at);
        if (data < 0) return null;
        int from = data + "\"data\":[\"".length(), to = json.indexOf('"', from);
        return to < 0 ? null : json.substring(from, to);
    }

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

    public static void main(String[] args) throws Exception {
        Path launcher = null, workspace = null, emoji = Path.of("samples/emoji/images"), logs = null;
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "fovea");
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<ModelSpec> models = new ArrayList<>();
        int threads = Runtime.getRuntime().availableProcessors(), warmup = 3, seconds = 10, soak = 60, sampleEvery = 5;
        int soakConcurrency = 32, fashionPerClass = 100, serverWarmup = 5;
        double bareSeconds = 3;
        boolean bareOnly = false;
        List<Integer> concurrency = List.of(1, 8, 32);
        List<String> batching = List.of("on", "off");
        String soakModel = "emoji", serverHeap = "1g", serverJavaOpts = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--launcher" -> launcher = Path.of(value(args, ++i));
                case "--workspace" -> workspace = Path.of(value(args, ++i));
                case "--model" -> {
                    String[] parts = value(args, ++i).split(",", 3);
                    if (parts.length != 3 || !Set.of("emoji", "fashion").contains(parts[1])) {
                        usage("--model takes NAME,emoji|fashion,BUNDLE_FILE, not '" + args[i] + "'");
                    }
                    models.add(new ModelSpec(parts[0], parts[1], Path.of(parts[2])));
                }
                case "--emoji" -> emoji = Path.of(value(args, ++i));
                case "--cache" -> cache = Path.of(value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--concurrency" -> concurrency = Arrays.stream(value(args, ++i).split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--batching" -> batching = Arrays.stream(value(args, ++i).split(",")).map(String::trim).toList();
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i));
                case "--server-warmup" -> serverWarmup = Integer.parseInt(value(args, ++i));
                case "--seconds" -> seconds = Integer.parseInt(value(args, ++i));
                case "--soak" -> soak = Integer.parseInt(value(args, ++i));
                case "--soak-model" -> soakModel = value(args, ++i);
                case "--soak-concurrency" -> soakConcurrency = Integer.parseInt(value(args, ++i));
                case "--sample-every" -> sampleEvery = Integer.parseInt(value(args, ++i));
                case "--server-heap" -> serverHeap = value(args, ++i);
                case "--server-java-opts" -> serverJavaOpts = value(args, ++i);
                case "--jcmd" -> jcmd = Path.of(value(args, ++i));
                case "--logs" -> logs = Path.of(value(args, ++i));
                case "--fashion-per-class" -> fashionPerClass = Integer.parseInt(value(args, ++i));
                case "--bare-seconds" -> bareSeconds = Double.parseDouble(value(args, ++i));
                case "--bare-only" -> bareOnly = true;
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        String predictToken = System.getenv("FOVEA_TOKEN"), adminToken = System.getenv("FOVEA_ADMIN_TOKEN");
        if (models.isEmpty()) usage("--model is required");
        if (!bareOnly && (launcher == null || workspace == null)) usage("--launcher and --workspace are required");
        if (!bareOnly && (predictToken == null || adminToken == null)) {
            usage("set FOVEA_TOKEN (scope predict) and FOVEA_ADMIN_TOKEN (scope admin)");
        }
        for (String b : batching) if (!Set.of("on", "off").contains(b)) usage("--batching takes on and/or off, not " + b);
        if (!bareOnly) {
            if (logs == null) logs = Files.createTempDirectory("fovea-serve-bench-logs");
            Files.createDirectories(logs);
        }
        Config config = new Config(launcher, workspace, serverHeap, serverJavaOpts, logs, predictToken, adminToken, jcmd);

        System.out.printf(Locale.ROOT, "serving benchmark: client JVM %s, %d cores, heap max %d MiB; %d PyTorch threads"
                + " for the bare call (the server starts DJL with %d, one per core)%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, threads,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "load: each server first %d s at the highest concurrency (not counted), then per"
                + " concurrency %s: %d s warm-up + %d s measured; batching %s; soak %d s at concurrency %d on %s (a fresh"
                + " server, no warm-up); server logs in %s%n", serverWarmup, concurrency, warmup, seconds, batching, soak,
                soakConcurrency, soakModel, logs);

        // Images, and request bodies per data set.
        Map<String, List<Image>> images = new LinkedHashMap<>();
        List<Image> emojiSet = null;
        for (ModelSpec m : models) {
            if (m.data().equals("emoji")) {
                if (emojiSet == null) emojiSet = emojiImages(emoji);
                images.put(m.name(), emojiSet);
            } else { // the Fashion-MNIST classes the model knows
                ModelBundle bundle = ModelBundle.fromZip(Files.readAllBytes(m.bundle()), m.bundle().getFileName().toString());
                images.put(m.name(), fashionImages(bundle.classes(), fashionPerClass));
            }
        }
        for (ModelSpec m : models) {
            List<Image> im = images.get(m.name());
            System.out.printf(Locale.ROOT, "images for %s: %d %s, %.1f KB PNG on average%n", m.name(), im.size(),
                    m.data().equals("emoji") ? "emoji PNGs from " + emoji : "Fashion-MNIST test images (as PNG, 28x28 grey)",
                    im.stream().mapToInt(x -> x.png().length).average().orElse(0) / 1e3);
        }

        // 1. The bare model call, in this JVM, before any server runs.
        System.out.println();
        System.out.println("== Bare model call in this JVM (no HTTP): predictor.probabilities on preprocessed input ==");
        DjlRuntime.start(cache, threads);
        Map<String, Bare> bare = new LinkedHashMap<>();
        Map<String, List<Payload>> payloads = new LinkedHashMap<>();
        for (ModelSpec m : models) {
            var result = bare(m, images.get(m.name()), bareSeconds);
            bare.put(m.name(), result.bare());
            payloads.put(m.name(), result.payloads());
        }
        System.out.println();
        System.out.println("(others' CPU %: what the rest of the machine used while the calls were timed, 100 = one core)");
        System.out.println("model       format        load ms  decode+preprocess ms/img  n=1: p50    p90    p99 ms    n=16: p50    p90    p99 ms  ms/img  bare img/s (n=16)  others' CPU %");
        for (Bare b : bare.values()) {
            System.out.printf(Locale.ROOT, "%-11s %-12s %8.0f  %12.3f (p90 %.3f)      %7.2f %6.2f %6.2f        %7.2f %6.2f %6.2f  %6.2f  %8.0f           %6.0f%n",
                    b.model(), b.format(), b.loadMs(), b.prep().p50(), b.prep().p90(), b.one().p50(), b.one().p90(),
                    b.one().p99(), b.sixteen().p50(), b.sixteen().p90(), b.sixteen().p99(), b.sixteen().p50() / 16,
                    16_000 / b.sixteen().p50(), b.othersCpu());
        }

        if (bareOnly) return;

        // 2. Load phases, one fresh server per model and batching setting.
        List<Phase> phases = new ArrayList<>();
        List<String> serverNotes = new ArrayList<>();
        for (ModelSpec m : models) {
            for (String b : batching) {
                System.out.println();
                System.out.printf(Locale.ROOT, "== %s, batching %s ==%n", m.name(), b);
                Server server;
                try {
                    server = start(config, m.name(), b, m.name() + "-batching-" + b);
                } catch (IllegalStateException e) {
                    System.out.println("server did not start: " + e.getMessage());
                    serverNotes.add(m.name() + " batching " + b + ": did not start: " + e.getMessage());
                    continue;
                }
                ServerProbe probe = new ServerProbe(server.pid(), jcmd);
                System.out.printf(Locale.ROOT, "server pid %d on port %d, ready after %.1f s, RSS %.0f MiB",
                        server.pid(), server.port(), server.startSeconds(), probe.rssKib() / 1024.0);
                if (serverWarmup > 0) { // the JIT compiles the request path in the first seconds: not part of any phase
                    int c = concurrency.stream().max(Integer::compare).orElse(1);
                    Phase w = phase(config, server, probe, m.name(), b, c, payloads.get(m.name()), 0, serverWarmup);
                    System.out.printf(Locale.ROOT, "; warmed up for %d s at concurrency %d (%.0f req/s, %d errors), RSS %.0f MiB",
                            serverWarmup, c, w.throughput(), w.errors(), w.rssKib() / 1024.0);
                }
                System.out.println();
                for (int c : concurrency) {
                    Phase p = phase(config, server, probe, m.name(), b, c, payloads.get(m.name()), warmup, seconds);
                    phases.add(p);
                    printPhase(p, bare.get(m.name()));
                }
                serverNotes.add(stop(server, m.name() + " batching " + b));
            }
        }

        System.out.println();
        System.out.println("== Summary: closed loop, one image per request; overhead = p50 - bare n=1 p50 ==");
        printHeader();
        for (Phase p : phases) printRow(p, bare.get(p.model()));

        // 3. The soak.
        Map<String, Object> soakResult = null;
        ModelSpec soakSpec = null;
        for (ModelSpec m : models) if (m.name().equals(soakModel)) soakSpec = m;
        if (soak > 0 && soakSpec != null) {
            System.out.println();
            System.out.printf(Locale.ROOT, "== Soak: %s, batching on, concurrency %d, %d s ==%n", soakModel, soakConcurrency, soak);
            try {
                Server server = start(config, soakModel, "on", soakModel + "-soak");
                soakResult = soak(config, server, soakModel, payloads.get(soakModel), soakConcurrency, soak, sampleEvery);
                serverNotes.add(stop(server, soakModel + " soak"));
            } catch (IllegalStateException e) {
                System.out.println("server did not start: " + e.getMessage());
                serverNotes.add(soakModel + " soak: did not start: " + e.getMessage());
            }
        } else if (soak > 0) {
            System.out.println("no soak: --soak-model " + soakModel + " is not one of the --model names");
        }

        System.out.println();
        System.out.println("== Server processes ==");
        serverNotes.forEach(n -> System.out.println("  " + n));

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("bare", bare.values().stream().map(b -> Map.<String, Object>of("model", b.model(), "format", b.format(),
                "prep_ms_p50", b.prep().p50(), "n1_ms_p50", b.one().p50(), "n1_ms_p99", b.one().p99(),
                "n16_ms_p50", b.sixteen().p50(), "n16_ms_p99", b.sixteen().p99())).toList());
        json.put("phases", phases.stream().map(p -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", p.model());
            o.put("batching", p.batching());
            o.put("concurrency", p.concurrency());
            o.put("req_per_s", p.throughput());
            o.put("p50_ms", p.latency().p50());
            o.put("p90_ms", p.latency().p90());
            o.put("p99_ms", p.latency().p99());
            o.put("ok", p.ok());
            o.put("errors", p.errors());
            o.put("by_status", p.byStatus());
            o.put("wrong_labels", p.wrongLabels());
            o.put("mean_batch", p.meanBatch());
            o.put("model_ms_per_batch", p.modelMsPerBatch());
            o.put("server_cpu_pct", p.serverCpu());
            o.put("client_cpu_pct", p.clientCpu());
            o.put("machine_cpu_pct", p.machineCpu());
            return o;
        }).toList());
        if (soakResult != null) json.put("soak", soakResult);
        System.out.println();
        System.out.println(Json.write(json));
    }

    // ---- data ---------------------------------------------------------------------------------------------------

    /** An image to send: where it came from and its PNG bytes. */
    record Image(String file, byte[] png) {}

    static List<Image> emojiImages(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) usage("no emoji folder " + dir);
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        List<Image> out = new ArrayList<>();
        for (Path f : files) out.add(new Image(dir.relativize(f).toString(), Files.readAllBytes(f)));
        if (out.isEmpty()) usage("no PNG files under " + dir);
        // Interleave the classes (the folders), so that consecutive requests are not all of one class.
        Map<String, List<Image>> byClass = new TreeMap<>();
        for (Image im : out) byClass.computeIfAbsent(im.file().split("/")[0], k -> new ArrayList<>()).add(im);
        List<Image> mixed = new ArrayList<>();
        for (int i = 0; mixed.size() < out.size(); i++) {
            for (List<Image> l : byClass.values()) if (i < l.size()) mixed.add(l.get(i));
        }
        return mixed;
    }

    static List<Image> fashionImages(List<String> classes, int perClass) {
        if (!FashionMnist.available()) usage("Fashion-MNIST is missing under " + FashionMnist.DIR + " (apt-get install dataset-fashion-mnist)");
        Set<Integer> labels = new HashSet<>();
        for (String c : classes) {
            int label = FashionMnist.CLASSES.indexOf(c);
            if (label < 0) usage("class '" + c + "' of a fashion model is not a Fashion-MNIST class " + FashionMnist.CLASSES);
            labels.add(label);
        }
        List<FashionMnist.Item> items = new ArrayList<>(FashionMnist.balanced(false, perClass, labels));
        items.sort((a, b) -> Integer.compare(a.index(), b.index())); // file order: classes mixed as they come
        List<Image> out = new ArrayList<>();
        for (FashionMnist.Item item : items) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            try {
                if (!ImageIO.write(FashionMnist.image(item), "png", png)) throw new IOException("no PNG writer");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.add(new Image(item.className() + "/" + item.fileName(), png.toByteArray()));
        }
        return out;
    }

    static byte[] body(byte[] png) {
        return ("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\""
                + Base64.getEncoder().encodeToString(png) + "\"]}]}").getBytes(StandardCharsets.UTF_8);
    }

    // ---- bare call ----------------------------------------------------------------------------------------------

    record BareResult(Bare bare, List<Payload> payloads) {}

    static BareResult bare(ModelSpec m, List<Image> images, double seconds) throws IOException {
        ModelBundle bundle = ModelBundle.fromZip(Files.readAllBytes(m.bundle()), m.bundle().getFileName().toString());
        long t0 = System.nanoTime();
        Predictor predictor = new DjlModelLoader().load(bundle);
        double loadMs = (System.nanoTime() - t0) / 1e6;
        try {
            Preprocessing pre = predictor.preprocessing();
            int plane = 3 * pre.inputSize() * pre.inputSize();
            ImageDecoder decoder = new ImageDecoder(100_000_000L); // import.max_pixels' default, as the server
            float[][] inputs = new float[images.size()][];
            long[] prep = new long[images.size()];
            for (int pass = 0; pass < 2; pass++) { // the first pass warms up the decoder; the second is timed
                for (int i = 0; i < images.size(); i++) {
                    long a = System.nanoTime();
                    float[] x = new float[plane];
                    pre.toChw(pre.resize(decoder.decode(images.get(i).png()).pixels()), x, 0);
                    prep[i] = System.nanoTime() - a;
                    inputs[i] = x;
                }
            }
            // Labels one image at a time (also the warm-up of the model).
            List<Payload> payloads = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                float[] p = predictor.probabilities(inputs[i], 1)[0];
                payloads.add(new Payload(images.get(i).file(), body(images.get(i).png()),
                        predictor.classes().get(argmax(p))));
            }
            long self0 = clientCpuNanos(), at0 = System.nanoTime();
            long[] machine0 = machineTicks();
            Stats one = timeCalls(predictor, inputs, 1, plane, seconds);
            Stats sixteen = timeCalls(predictor, inputs, 16, plane, seconds);
            long[] machine1 = machineTicks();
            double timed = (System.nanoTime() - at0) / 1e9;
            double others = Math.max(0, (machine1[0] - machine0[0]) / timed - 100.0 * (clientCpuNanos() - self0) / 1e9 / timed);
            Bare b = new Bare(m.name(), bundle.format(), loadMs, Stats.of(prep, prep.length), one, sixteen, others);
            long agree = 0; // how many images' labels match their folder (emoji) or Fashion-MNIST class
            for (Payload p : payloads) if (p.file().startsWith(p.expected() + "/")) agree++;
            System.out.printf(Locale.ROOT, "%s: %s bundle %s, input %dx%d, classes %s; bare-call labels agree with the"
                    + " images' classes for %d of %d%n", m.name(), bundle.format(), m.bundle(), pre.inputSize(),
                    pre.inputSize(), predictor.classes(), agree, payloads.size());
            return new BareResult(b, payloads);
        } finally {
            predictor.close();
        }
    }

    /** Times probabilities(...) on n images at a time, cycling through the inputs, for about {@code seconds}. */
    static Stats timeCalls(Predictor predictor, float[][] inputs, int n, int plane, double seconds) {
        float[][] batches = new float[Math.max(1, inputs.length / n)][];
        for (int b = 0; b < batches.length; b++) {
            batches[b] = new float[n * plane];
            for (int i = 0; i < n; i++) System.arraycopy(inputs[(b * n + i) % inputs.length], 0, batches[b], i * plane, plane);
        }
        // Warm-up: at least 20 calls and 1 s (this JVM's JIT competes with PyTorch's threads for the cores at first).
        long warm = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < warm; i++) predictor.probabilities(batches[i % batches.length], n);
        long[] lat = new long[1 << 16];
        int count = 0;
        long until = System.nanoTime() + (long) (seconds * 1e9);
        while ((System.nanoTime() < until || count < 50) && count < lat.length) {
            long a = System.nanoTime();
            predictor.probabilities(batches[count % batches.length], n);
            lat[count++] = System.nanoTime() - a;
        }
        return Stats.of(lat, count);
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    // ---- servers ------------------------------------------------------------------------------------------------

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

    private static String tail(Path log, int n) {
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

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
    }

    // ---- load ---------------------------------------------------------------------------------------------------

    static Phase phase(Config config, Server server, ServerProbe probe, String model, String batching,
            int concurrency, List<Payload> payloads, int warmup, int seconds) throws InterruptedException {
        URI uri = URI.create(server.url() + "/v2/models/" + model + "/infer");
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime(), from = start + TimeUnit.SECONDS.toNanos(warmup), to = from + TimeUnit.SECONDS.toNanos(seconds);
        List<Client> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            Client client = new Client(uri, config.predictToken(), payloads, c * payloads.size() / concurrency, to, errors);
            clients.add(client);
            threads.add(Thread.ofVirtual().name("client-" + c).start(client));
        }
        sleepUntil(from);
        Map<String, Double> before;
        long serverCpu0 = probe.cpuMillis(), clientCpu0 = clientCpuNanos();
        long[] machine0 = machineTicks();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            before = scrape(http, config, server);
            sleepUntil(to);
            long serverCpu1 = probe.cpuMillis(), clientCpu1 = clientCpuNanos();
            long[] machine1 = machineTicks();
            Map<String, Double> after = scrape(http, config, server);
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(70));
            for (Client c : clients) c.http.close();
            // Only requests that completed inside the measured window count.
            int total = clients.stream().mapToInt(c -> c.records.size).sum();
            long[] lat = new long[total];
            int n = 0;
            long wrong = 0;
            Map<Integer, Long> byStatus = new TreeMap<>();
            for (Client c : clients) {
                Records r = c.records;
                for (int i = 0; i < r.size; i++) {
                    if (r.end[i] < from || r.end[i] > to) continue;
                    byStatus.merge(r.status[i], 1L, Long::sum);
                    if (r.status[i] == 200) lat[n++] = r.latency[i];
                    if (r.wrong[i]) wrong++;
                }
            }
            double window = (to - from) / 1e9;
            double batches = delta(before, after, "fovea_batch_size_count");
            double images = delta(before, after, "fovea_batch_size_sum");
            double batchSeconds = delta(before, after, "fovea_batch_seconds_sum");
            double machineCpu = (machine1[0] - machine0[0]) / window; // jiffies are 1/100 s: % of one core
            return new Phase(model, batching, concurrency, window, Stats.of(lat, n), byStatus, wrong,
                    batches > 0 ? images / batches : Double.NaN, batches > 0 ? 1000 * batchSeconds / batches : Double.NaN,
                    100.0 * (serverCpu1 - serverCpu0) / 1000 / window, 100.0 * (clientCpu1 - clientCpu0) / 1e9 / window,
                    machineCpu, probe.rssKib(), List.copyOf(errors));
        }
    }

    static void printPhase(Phase p, Bare bare) {
        printHeader();
        printRow(p, bare);
        for (String e : p.errorSamples()) System.out.println("    " + e);
    }

    static void printHeader() {
        System.out.println("model      batch conc    req/s  p50 ms  p90 ms  p99 ms  max ms  overhead  errors (by status)      wrong  mean  model ms  CPU % (100 = one core):       RSS MiB");
        System.out.println("                                                                p50 ms                          label  batch per batch  server client others  all");
    }

    static void printRow(Phase p, Bare bare) {
        String errs = p.errors() == 0 ? "0" : p.byStatus().entrySet().stream().filter(e -> e.getKey() != 200)
                .map(e -> (e.getKey() == 0 ? "io" : e.getKey()) + ":" + e.getValue()).collect(Collectors.joining(" "));
        double overhead = bare == null ? Double.NaN : p.latency().p50() - bare.one().p50();
        System.out.printf(Locale.ROOT, "%-10s %-5s %4d %8.1f %7.2f %7.2f %7.2f %7.1f %9.2f  %-22s %5d %5.1f %8.2f %6.0f %6.0f %6.0f %4.0f %8.0f%n",
                p.model(), p.batching(), p.concurrency(), p.throughput(), p.latency().p50(), p.latency().p90(),
                p.latency().p99(), p.latency().max(), overhead, errs, p.wrongLabels(), p.meanBatch(), p.modelMsPerBatch(),
                p.serverCpu(), p.clientCpu(), Math.max(0, p.machineCpu() - p.serverCpu() - p.clientCpu()), p.machineCpu(),
                p.rssKib() / 1024.0);
    }

    // ---- soak ---------------------------------------------------------------------------------------------------

    static Map<String, Object> soak(Config config, Server server, String model, List<Payload> payloads, int concurrency, int seconds,
            int every) throws InterruptedException {
        ServerProbe probe = new ServerProbe(server.pid(), config.jcmd());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Double> first = scrape(http, config, server);
        boolean heapFromMetrics = first.containsKey("jvm_memory_used_bytes:heap");
        boolean jcmd = !heapFromMetrics && Files.isExecutable(config.jcmd());
        System.out.printf(Locale.ROOT, "server pid %d on port %d, ready after %.1f s; heap %s%n", server.pid(), server.port(),
                server.startSeconds(), heapFromMetrics ? "from /metrics jvm_memory_used_bytes{area=\"heap\"}"
                        : "not in /metrics (no jvm_memory_used_bytes): " + (jcmd ? "from jcmd GC.heap_info instead (a small JVM"
                        + " started every sample, on the same cores)" : "not sampled (no jcmd at " + config.jcmd() + ")"));
        URI uri = URI.create(server.url() + "/v2/models/" + model + "/infer");
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime(), end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Client> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long cpu0 = probe.cpuMillis();
        System.out.println();
        System.out.println("     s  RSS MiB  heap used MiB  queue  answered  429  other errors   CPU % over the last interval: server  machine");
        List<Map<String, Object>> samples = new ArrayList<>();
        long previousCpu = cpu0, previousMachine = machineTicks()[0], previousAt = System.nanoTime();
        for (int k = 0; ; k++) {
            long at = start + TimeUnit.SECONDS.toNanos((long) k * every);
            if (k == 0) {
                for (int c = 0; c < concurrency; c++) {
                    Client client = new Client(uri, config.predictToken(), payloads, c * payloads.size() / concurrency, end, errors);
                    clients.add(client);
                    threads.add(Thread.ofVirtual().name("soak-client-" + c).start(client));
                }
            } else {
                sleepUntil(at);
            }
            double t = (System.nanoTime() - start) / 1e9;
            long rss = probe.rssKib(), cpu = probe.cpuMillis();
            Map<String, Double> m = scrape(http, config, server);
            double heapMib = Double.NaN;
            if (heapFromMetrics) heapMib = m.getOrDefault("jvm_memory_used_bytes:heap", Double.NaN) / (1 << 20);
            else if (jcmd) {
                var h = probe.heap(t);
                if (h != null) heapMib = h.usedKib() / 1024.0;
            }
            long answered = 0, r429 = 0, other = 0;
            for (Client c : clients) {
                answered += c.answered.sum();
                r429 += c.refused.sum();
                other += c.failed.sum();
            }
            long machine = machineTicks()[0], now = System.nanoTime();
            double interval = (now - previousAt) / 1e9;
            double cpuPct = k == 0 ? Double.NaN : 100.0 * (cpu - previousCpu) / 1000 / interval;
            double machinePct = k == 0 ? Double.NaN : (machine - previousMachine) / interval;
            previousCpu = cpu;
            previousMachine = machine;
            previousAt = now;
            System.out.printf(Locale.ROOT, "%6.1f %8.0f %14.1f %6.0f %9d %4d %13d %38.0f %8.0f%n", t, rss / 1024.0, heapMib,
                    m.getOrDefault("fovea_queue_depth", Double.NaN), answered, r429, other, cpuPct, machinePct);
            Map<String, Object> sample = new LinkedHashMap<>();
            sample.put("s", Math.round(t * 10) / 10.0);
            sample.put("rss_mib", Math.round(rss / 102.4) / 10.0);
            sample.put("heap_mib", Math.round(heapMib * 10) / 10.0);
            samples.add(sample);
            if (at >= end) break;
        }
        for (Thread th : threads) th.join(TimeUnit.SECONDS.toMillis(70));
        for (Client c : clients) c.http.close();
        // After the load: idle a moment, then RSS, and the live heap after a full GC.
        sleepQuietly(2000);
        long rssIdle = probe.rssKib();
        var live = Files.isExecutable(config.jcmd()) ? probe.liveHeap((System.nanoTime() - start) / 1e9) : null;
        long rssAfterGc = probe.rssKib();
        Map<String, Double> last = scrape(http, config, server);
        http.close();

        // Per 10 s window, from the records.
        int windows = (int) Math.ceil(seconds / 10.0);
        long[] ok = new long[windows], too = new long[windows], bad = new long[windows];
        long[] lat = new long[clients.stream().mapToInt(c -> c.records.size).sum()];
        int n = 0;
        Map<Integer, Long> byStatus = new TreeMap<>();
        long wrong = 0;
        List<long[]> perWindowLatency = new ArrayList<>();
        int[] perWindowCount = new int[windows];
        for (int w = 0; w < windows; w++) perWindowLatency.add(new long[lat.length]);
        for (Client c : clients) {
            Records r = c.records;
            for (int i = 0; i < r.size; i++) {
                int w = (int) Math.min(windows - 1, Math.max(0, (r.end[i] - start) / 10_000_000_000L));
                byStatus.merge(r.status[i], 1L, Long::sum);
                if (r.wrong[i]) wrong++;
                if (r.status[i] == 200) {
                    ok[w]++;
                    lat[n++] = r.latency[i];
                    perWindowLatency.get(w)[perWindowCount[w]++] = r.latency[i];
                } else if (r.status[i] == 429) too[w]++;
                else bad[w]++;
            }
        }
        System.out.println();
        System.out.println("window s   req/s  p50 ms  p99 ms  429  other errors");
        List<Map<String, Object>> perWindow = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            double len = Math.min(10, seconds - 10.0 * w);
            Stats s = Stats.of(perWindowLatency.get(w), perWindowCount[w]);
            System.out.printf(Locale.ROOT, "%3d-%-4d %7.1f %7.2f %7.2f %4d %13d%n", 10 * w, (int) (10 * w + len), ok[w] / len,
                    s.p50(), s.p99(), too[w], bad[w]);
            perWindow.add(Map.of("from_s", 10 * w, "req_per_s", ok[w] / len, "p50_ms", s.p50(), "p99_ms", s.p99(),
                    "429", too[w], "errors", bad[w]));
        }
        Stats all = Stats.of(lat, n);
        long r429 = byStatus.getOrDefault(429, 0L);
        long others = byStatus.entrySet().stream().filter(e -> e.getKey() != 200 && e.getKey() != 429)
                .mapToLong(Map.Entry::getValue).sum();
        System.out.println();
        System.out.printf(Locale.ROOT, "soak: %d answered (%.1f req/s), p50 %.2f ms, p90 %.2f, p99 %.2f, max %.1f; 429 (deliberate"
                + " refusals): %d; other errors: %d %s; labels different from the bare call: %d%n", all.n(), all.n() / (double) seconds,
                all.p50(), all.p90(), all.p99(), all.max(), r429, others, byStatus, wrong);
        System.out.printf(Locale.ROOT, "server counters: fovea_requests_rejected_total %.0f, fovea_requests_timed_out_total %.0f;"
                + " mean batch %.1f images%n", last.getOrDefault("fovea_requests_rejected_total", 0.0),
                last.getOrDefault("fovea_requests_timed_out_total", 0.0),
                last.getOrDefault("fovea_batch_size_sum", Double.NaN) / last.getOrDefault("fovea_batch_size_count", Double.NaN));
        System.out.printf(Locale.ROOT, "after the load: RSS %.0f MiB 2 s later%s%n", rssIdle / 1024.0, live == null ? ""
                : String.format(Locale.ROOT, "; live heap %.1f MiB after a full GC (jcmd GC.run; committed %.0f MiB); RSS then %.0f MiB",
                        live.usedKib() / 1024.0, live.committedKib() / 1024.0, rssAfterGc / 1024.0));
        for (String e : errors) System.out.println("    " + e);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", seconds);
        out.put("concurrency", concurrency);
        out.put("answered", all.n());
        out.put("p50_ms", all.p50());
        out.put("p99_ms", all.p99());
        out.put("429", r429);
        out.put("other_errors", others);
        out.put("samples", samples);
        out.put("windows", perWindow);
        out.put("rss_idle_mib", rssIdle / 1024.0);
        if (live != null) out.put("live_heap_mib", live.usedKib() / 1024.0);
        return out;
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0, idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
            idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    static long clientCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) usage(args[i - 1] + " needs a value");
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("ServingBenchmark: " + problem);
        System.err.println("usage: FOVEA_TOKEN=... FOVEA_ADMIN_TOKEN=... java ... dev.fovea.bench.ServingBenchmark --launcher FOVEA"
                + " --workspace DIR --model NAME,emoji|fashion,BUNDLE [--model ...] [options; see the class comment]");
        System.exit(2);
    }

    /** Just enough JSON for the result line: maps, lists, strings, numbers, booleans. */
    static final class Json {
        static String write(Object o) {
            StringBuilder b = new StringBuilder();
            write(o, b);
            return b.toString();
        }

        private static void write(Object o, StringBuilder b) {
            if (o == null) b.append("null");
            else if (o instanceof Map<?, ?> m) {
                b.append('{');
                boolean firstEntry = true;
                for (var e : m.entrySet()) {
                    if (!firstEntry) b.append(',');
                    firstEntry = false;
                    write(String.valueOf(e.getKey()), b);
                    b.append(':');
                    write(e.getValue(), b);
                }
                b.append('}');
            } else if (o instanceof List<?> l) {
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) b.append(',');
                    write(l.get(i), b);
                }
                b.append(']');
            } else if (o instanceof Double d) {
                b.append(d.isNaN() || d.isInfinite() ? "null"
                        : new java.math.BigDecimal(d).setScale(3, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString());
            } else if (o instanceof Number || o instanceof Boolean) b.append(o);
            else {
                b.append('"');
                for (char c : o.toString().toCharArray()) {
                    switch (c) {
                        case '"' -> b.append("\\\"");
                        case '\\' -> b.append("\\\\");
                        case '\n' -> b.append("\\n");
                        default -> {
                            if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                            else b.append(c);
                        }
                    }
                }
                b.append('"');
            }
        }
    }
}
