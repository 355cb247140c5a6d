package dev.fovea.bench;

import static dev.fovea.bench.LoadPhase.phase;
import static dev.fovea.bench.LoadPhase.printHeader;
import static dev.fovea.bench.LoadPhase.printPhase;
import static dev.fovea.bench.LoadPhase.printRow;
import static dev.fovea.bench.ServeProcess.start;
import static dev.fovea.bench.ServeProcess.stop;
import static dev.fovea.bench.ServingImages.emojiImages;
import static dev.fovea.bench.ServingImages.fashionImages;

import dev.fovea.bench.BareCall.Bare;
import dev.fovea.bench.BareCall.BareResult;
import dev.fovea.bench.InferenceClient.Payload;
import dev.fovea.bench.LoadPhase.Phase;
import dev.fovea.bench.ServeProcess.Config;
import dev.fovea.bench.ServeProcess.Server;
import dev.fovea.bench.ServingBenchmark.ModelSpec;
import dev.fovea.bench.ServingImages.Image;
import dev.fovea.bench.support.BenchOptions;
import dev.fovea.bench.support.Json;
import dev.fovea.bench.support.RunHeader;
import dev.fovea.bench.support.ServerProbe;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.djl.DjlModelLoader;
import dev.fovea.djl.DjlRuntime;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    /** A model under test: its registry name, which images it classifies, its exported bundle. */
    record ModelSpec(String name, String data, Path bundle) {}

    private final ServingOptions o;
    private final Config config;
    private final Map<String, Bare> bare = new LinkedHashMap<>();
    private final Map<String, List<Payload>> payloads = new LinkedHashMap<>();
    private final List<Phase> phases = new ArrayList<>();
    private final List<String> serverNotes = new ArrayList<>();

    private ServingBenchmark(ServingOptions o, Config config) {
        this.o = o;
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        ServingOptions o = BenchOptions.parse(new ServingOptions(), args).validated();
        Path logs = o.logs;
        if (!o.bareOnly) {
            if (logs == null) logs = Files.createTempDirectory("fovea-serve-bench-logs");
            Files.createDirectories(logs);
        }
        Config config = new Config(o.launcher, o.workspace, o.serverHeap, o.serverJavaOpts, logs, o.predictToken,
                o.adminToken, o.jcmd);
        try {
            new ServingBenchmark(o, config).run();
        } catch (ServingImages.MissingImages e) {
            BenchOptions.fail(o, e.getMessage());
        }
    }

    private void run() throws Exception {
        RunHeader header = RunHeader.ofThisJvm();
        System.out.printf(Locale.ROOT, "serving benchmark: client JVM %s, %d cores, heap max %d MiB; %d PyTorch threads"
                + " for the bare call (the server starts DJL with %d, one per core)%n", header.jvm(), header.cores(),
                header.maxHeapMib(), o.threads, header.cores());
        System.out.printf(Locale.ROOT, "load: each server first %d s at the highest concurrency (not counted), then per"
                + " concurrency %s: %d s warm-up + %d s measured; batching %s; soak %d s at concurrency %d on %s (a fresh"
                + " server, no warm-up); server logs in %s%n", o.serverWarmup, o.concurrency, o.warmup, o.seconds,
                o.batching, o.soak, o.soakConcurrency, o.soakModel, config.logs());
        bareCalls(images());
        if (o.bareOnly) return;
        for (ModelSpec m : o.models) {
            for (String b : o.batching) loadPhases(m, b);
        }
        System.out.println();
        System.out.println("== Summary: closed loop, one image per request; overhead = p50 - bare n=1 p50 ==");
        printHeader();
        for (Phase p : phases) printRow(p, bare.get(p.model()));
        List<Map<String, Object>> goals = goals();
        Map<String, Object> soakResult = soak();
        System.out.println();
        System.out.println("== Server processes ==");
        serverNotes.forEach(n -> System.out.println("  " + n));
        System.out.println();
        System.out.println(Json.write(resultJson(soakResult, goals), 3));
    }

    /**
     * Issue 21's goals per model and batching setting: the served p50 at concurrency 1 at most the bare call's
     * n=1 p50 + 1 ms + 5%, and the served throughput at concurrency 32 at least the bare call's at n=16.
     */
    private List<Map<String, Object>> goals() {
        List<Map<String, Object>> out = new ArrayList<>();
        System.out.println();
        System.out.println("== Goals: overhead at concurrency 1 at most 1 ms + 5% of the bare call; throughput at 32 at least the bare n=16 throughput ==");
        System.out.println("model      batch  bare n=1 p50  served p50 c=1  overhead  allowed  met    bare img/s n=16  served req/s c=32  ratio  met");
        for (ModelSpec m : o.models) {
            Bare b = bare.get(m.name());
            for (String batching : o.batching) {
                Phase one = null, many = null;
                for (Phase p : phases) {
                    if (!p.model().equals(m.name()) || !p.batching().equals(batching)) continue;
                    if (p.concurrency() == 1) one = p;
                    if (p.concurrency() == 32) many = p;
                }
                if (b == null || (one == null && many == null)) continue;
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("model", m.name());
                g.put("batching", batching);
                String latency = "   (no concurrency-1 phase)                       ";
                if (one != null) {
                    double overhead = one.latency().p50() - b.one().p50(), allowed = 1.0 + 0.05 * b.one().p50();
                    g.put("overhead_ms", overhead);
                    g.put("allowed_ms", allowed);
                    g.put("overhead_met", overhead <= allowed);
                    latency = String.format(Locale.ROOT, "%12.2f  %14.2f  %8.2f  %7.2f  %-5s", b.one().p50(),
                            one.latency().p50(), overhead, allowed, overhead <= allowed ? "yes" : "NO");
                }
                String throughput = "   (no concurrency-32 phase)";
                if (many != null) {
                    double bareRate = 16_000 / b.sixteen().p50(), ratio = many.throughput() / bareRate;
                    g.put("throughput_ratio", ratio);
                    g.put("throughput_met", ratio >= 1);
                    throughput = String.format(Locale.ROOT, "%17.0f  %17.0f  %5.2f  %s", bareRate, many.throughput(), ratio,
                            ratio >= 1 ? "yes" : "NO");
                }
                System.out.printf(Locale.ROOT, "%-10s %-5s  %s  %s%n", m.name(), batching, latency, throughput);
                out.add(g);
            }
        }
        return out;
    }

    /** Images per model: the emoji set, or the Fashion-MNIST classes the model knows. */
    private Map<String, List<Image>> images() throws IOException {
        Map<String, List<Image>> images = new LinkedHashMap<>();
        List<Image> emojiSet = null;
        for (ModelSpec m : o.models) {
            if (m.data().equals("emoji")) {
                if (emojiSet == null) emojiSet = emojiImages(o.emoji);
                images.put(m.name(), emojiSet);
            } else {
                ModelBundle bundle = ModelBundle.fromZip(Files.readAllBytes(m.bundle()), m.bundle().getFileName().toString());
                images.put(m.name(), fashionImages(bundle.classes(), o.fashionPerClass));
            }
        }
        for (ModelSpec m : o.models) {
            List<Image> im = images.get(m.name());
            System.out.printf(Locale.ROOT, "images for %s: %d %s, %.1f KB PNG on average%n", m.name(), im.size(),
                    m.data().equals("emoji") ? "emoji PNGs from " + o.emoji : "Fashion-MNIST test images (as PNG, 28x28 grey)",
                    im.stream().mapToInt(x -> x.png().length).average().orElse(0) / 1e3);
        }
        return images;
    }

    /** 1. The bare model call, in this JVM, before any server runs; also the labels the server must give. */
    private void bareCalls(Map<String, List<Image>> images) throws IOException {
        System.out.println();
        System.out.println("== Bare model call in this JVM (no HTTP): predictor.probabilities on preprocessed input ==");
        DjlRuntime.start(o.cache, o.threads);
        for (ModelSpec m : o.models) {
            BareResult result = BareCall.bare(m, images.get(m.name()), o.bareSeconds);
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
    }

    /** 2. One fresh server for a model and batching setting, warmed up, then one phase per concurrency. */
    private void loadPhases(ModelSpec m, String b) throws IOException, InterruptedException {
        System.out.println();
        System.out.printf(Locale.ROOT, "== %s, batching %s ==%n", m.name(), b);
        Server server;
        try {
            server = start(config, m.name(), b, m.name() + "-batching-" + b);
        } catch (IllegalStateException e) {
            System.out.println("server did not start: " + e.getMessage());
            serverNotes.add(m.name() + " batching " + b + ": did not start: " + e.getMessage());
            return;
        }
        ServerProbe probe = new ServerProbe(server.pid(), o.jcmd);
        System.out.printf(Locale.ROOT, "server pid %d on port %d, ready after %.1f s, RSS %.0f MiB",
                server.pid(), server.port(), server.startSeconds(), probe.rssKib() / 1024.0);
        if (o.serverWarmup > 0) { // the JIT compiles the request path in the first seconds: not part of any phase
            int c = o.concurrency.stream().max(Integer::compare).orElse(1);
            Phase w = phase(config, server, probe, m.name(), b, c, payloads.get(m.name()), 0, o.serverWarmup);
            System.out.printf(Locale.ROOT, "; warmed up for %d s at concurrency %d (%.0f req/s, %d errors), RSS %.0f MiB",
                    o.serverWarmup, c, w.throughput(), w.errors(), w.rssKib() / 1024.0);
        }
        System.out.println();
        for (int c : o.concurrency) {
            Phase p = phase(config, server, probe, m.name(), b, c, payloads.get(m.name()), o.warmup, o.seconds);
            phases.add(p);
            printPhase(p, bare.get(m.name()));
        }
        serverNotes.add(stop(server, m.name() + " batching " + b));
    }

    /** 3. The soak, on a fresh server; null when skipped or when the server did not start. */
    private Map<String, Object> soak() throws IOException, InterruptedException {
        if (o.soak <= 0) return null;
        if (o.models.stream().noneMatch(m -> m.name().equals(o.soakModel))) {
            System.out.println("no soak: --soak-model " + o.soakModel + " is not one of the --model names");
            return null;
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "== Soak: %s, batching on, concurrency %d, %d s ==%n", o.soakModel,
                o.soakConcurrency, o.soak);
        try {
            Server server = start(config, o.soakModel, "on", o.soakModel + "-soak");
            Map<String, Object> result = SoakRun.soak(config, server, o.soakModel, payloads.get(o.soakModel),
                    o.soakConcurrency, o.soak, o.sampleEvery);
            serverNotes.add(stop(server, o.soakModel + " soak"));
            return result;
        } catch (IllegalStateException e) {
            System.out.println("server did not start: " + e.getMessage());
            serverNotes.add(o.soakModel + " soak: did not start: " + e.getMessage());
            return null;
        }
    }

    private Map<String, Object> resultJson(Map<String, Object> soakResult, List<Map<String, Object>> goals) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("bare", bare.values().stream().map(b -> Map.<String, Object>of("model", b.model(), "format", b.format(),
                "prep_ms_p50", b.prep().p50(), "n1_ms_p50", b.one().p50(), "n1_ms_p99", b.one().p99(),
                "n16_ms_p50", b.sixteen().p50(), "n16_ms_p99", b.sixteen().p99())).toList());
        json.put("phases", phases.stream().map(ServingBenchmark::phaseJson).toList());
        json.put("goals", goals);
        if (soakResult != null) json.put("soak", soakResult);
        return json;
    }

    private static Map<String, Object> phaseJson(Phase p) {
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
    }
}
