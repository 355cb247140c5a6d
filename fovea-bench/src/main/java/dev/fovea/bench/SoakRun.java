package dev.fovea.bench;

import static dev.fovea.bench.ServeProcess.scrape;
import static dev.fovea.bench.support.Latencies.summaryOf;

import dev.fovea.bench.InferenceClient.Payload;
import dev.fovea.bench.InferenceClient.Records;
import dev.fovea.bench.ServeProcess.Config;
import dev.fovea.bench.ServeProcess.Server;
import dev.fovea.bench.support.CpuTime;
import dev.fovea.bench.support.Latencies.Summary;
import dev.fovea.bench.support.Pause;
import dev.fovea.bench.support.ServerProbe;
import dev.fovea.bench.support.ServerProbe.HeapSample;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The serving benchmark's soak: {@code concurrency} clients on one fresh server for {@code seconds}, a sample of
 * its RSS, heap, queue and answers every {@code every} seconds, then per 10 s window throughput and latency.
 */
final class SoakRun {
    private final Config config;
    private final Server server;
    private final List<Payload> payloads;
    private final int concurrency, seconds, every;
    private final URI uri;
    private final ServerProbe probe;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final List<InferenceClient> clients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Map<String, Object>> samples = new ArrayList<>();
    private boolean heapFromMetrics, jcmd;
    private long start, end;

    private SoakRun(Config config, Server server, String model, List<Payload> payloads, int concurrency, int seconds,
            int every) {
        this.config = config;
        this.server = server;
        this.payloads = payloads;
        this.concurrency = concurrency;
        this.seconds = seconds;
        this.every = every;
        this.uri = URI.create(server.url() + "/v2/models/" + model + "/infer");
        this.probe = new ServerProbe(server.pid(), config.jcmd());
    }

    static Map<String, Object> soak(Config config, Server server, String model, List<Payload> payloads, int concurrency,
            int seconds, int every) throws InterruptedException {
        SoakRun run = new SoakRun(config, server, model, payloads, concurrency, seconds, every);
        try {
            return run.run();
        } finally {
            run.http.close();
        }
    }

    private Map<String, Object> run() throws InterruptedException {
        Map<String, Double> first = scrape(http, config, server);
        heapFromMetrics = first.containsKey("jvm_memory_used_bytes:heap");
        jcmd = !heapFromMetrics && Files.isExecutable(config.jcmd());
        System.out.printf(Locale.ROOT, "server pid %d on port %d, ready after %.1f s; heap %s%n", server.pid(), server.port(),
                server.startSeconds(), heapFromMetrics ? "from /metrics jvm_memory_used_bytes{area=\"heap\"}"
                        : "not in /metrics (no jvm_memory_used_bytes): " + (jcmd ? "from jcmd GC.heap_info instead (a small JVM"
                        + " started every sample, on the same cores)" : "not sampled (no jcmd at " + config.jcmd() + ")"));
        start = System.nanoTime();
        end = start + TimeUnit.SECONDS.toNanos(seconds);
        System.out.println();
        System.out.println("     s  RSS MiB  heap used MiB  queue  answered  429  other errors   CPU % over the last interval: server  machine");
        sampleWhileLoaded();
        for (Thread th : threads) th.join(TimeUnit.SECONDS.toMillis(70));
        for (InferenceClient c : clients) c.http.close();
        // After the load: idle a moment, then RSS, and the live heap after a full GC.
        Pause.quietly(2000);
        long rssIdle = probe.rssKib();
        HeapSample live = Files.isExecutable(config.jcmd()) ? probe.liveHeap((System.nanoTime() - start) / 1e9) : null;
        long rssAfterGc = probe.rssKib();
        Map<String, Double> last = scrape(http, config, server);
        return summary(windows(), rssIdle, live, rssAfterGc, last);
    }

    /** Starts the clients at the first sample, then one sample every {@code every} seconds until the end. */
    private void sampleWhileLoaded() throws InterruptedException {
        long previousCpu = probe.cpuMillis(), previousMachine = CpuTime.machineTicksOrZero()[0];
        long previousAt = System.nanoTime();
        for (int k = 0; ; k++) {
            long at = start + TimeUnit.SECONDS.toNanos((long) k * every);
            if (k == 0) startClients();
            else Pause.until(at);
            double t = (System.nanoTime() - start) / 1e9;
            long rss = probe.rssKib(), cpu = probe.cpuMillis();
            Map<String, Double> m = scrape(http, config, server);
            double heapMib = heapMib(m, t);
            long answered = 0, r429 = 0, other = 0;
            for (InferenceClient c : clients) {
                answered += c.answered.sum();
                r429 += c.refused.sum();
                other += c.failed.sum();
            }
            long machine = CpuTime.machineTicksOrZero()[0], now = System.nanoTime();
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
    }

    private void startClients() {
        for (int c = 0; c < concurrency; c++) {
            InferenceClient client = new InferenceClient(uri, config.predictToken(), payloads,
                    c * payloads.size() / concurrency, end, errors);
            clients.add(client);
            threads.add(Thread.ofVirtual().name("soak-client-" + c).start(client));
        }
    }

    private double heapMib(Map<String, Double> metrics, double t) {
        if (heapFromMetrics) return metrics.getOrDefault("jvm_memory_used_bytes:heap", Double.NaN) / (1 << 20);
        if (!jcmd) return Double.NaN;
        HeapSample h = probe.heap(t);
        return h == null ? Double.NaN : h.usedKib() / 1024.0;
    }

    /** The answers of each 10 s window, and of the whole soak, from the clients' records. */
    private record Windows(long[] ok, long[] tooMany, long[] bad, List<long[]> latency, int[] count, long[] all, int n,
            Map<Integer, Long> byStatus, long wrong) {}

    private Windows windows() {
        int windows = (int) Math.ceil(seconds / 10.0);
        int total = clients.stream().mapToInt(c -> c.records.size).sum();
        Windows w = new Windows(new long[windows], new long[windows], new long[windows], new ArrayList<>(),
                new int[windows], new long[total], 0, new TreeMap<>(), 0);
        for (int i = 0; i < windows; i++) w.latency().add(new long[total]);
        int n = 0;
        long wrong = 0;
        for (InferenceClient c : clients) {
            Records r = c.records;
            for (int i = 0; i < r.size; i++) {
                int k = (int) Math.min(windows - 1, Math.max(0, (r.end[i] - start) / 10_000_000_000L));
                w.byStatus().merge(r.status[i], 1L, Long::sum);
                if (r.wrong[i]) wrong++;
                if (r.status[i] == 200) {
                    w.ok()[k]++;
                    w.all()[n++] = r.latency[i];
                    w.latency().get(k)[w.count()[k]++] = r.latency[i];
                } else if (r.status[i] == 429) w.tooMany()[k]++;
                else w.bad()[k]++;
            }
        }
        return new Windows(w.ok(), w.tooMany(), w.bad(), w.latency(), w.count(), w.all(), n, w.byStatus(), wrong);
    }

    private Map<String, Object> summary(Windows w, long rssIdle, HeapSample live, long rssAfterGc,
            Map<String, Double> last) {
        List<Map<String, Object>> perWindow = printWindows(w);
        Summary all = summaryOf(w.all(), w.n());
        long r429 = w.byStatus().getOrDefault(429, 0L);
        long others = w.byStatus().entrySet().stream().filter(e -> e.getKey() != 200 && e.getKey() != 429)
                .mapToLong(Map.Entry::getValue).sum();
        System.out.println();
        System.out.printf(Locale.ROOT, "soak: %d answered (%.1f req/s), p50 %.2f ms, p90 %.2f, p99 %.2f, max %.1f; 429 (deliberate"
                + " refusals): %d; other errors: %d %s; labels different from the bare call: %d%n", all.n(),
                all.n() / (double) seconds, all.p50(), all.p90(), all.p99(), all.max(), r429, others, w.byStatus(), w.wrong());
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

    private List<Map<String, Object>> printWindows(Windows w) {
        System.out.println();
        System.out.println("window s   req/s  p50 ms  p99 ms  429  other errors");
        List<Map<String, Object>> perWindow = new ArrayList<>();
        for (int k = 0; k < w.ok().length; k++) {
            double len = Math.min(10, seconds - 10.0 * k);
            Summary s = summaryOf(w.latency().get(k), w.count()[k]);
            System.out.printf(Locale.ROOT, "%3d-%-4d %7.1f %7.2f %7.2f %4d %13d%n", 10 * k, (int) (10 * k + len),
                    w.ok()[k] / len, s.p50(), s.p99(), w.tooMany()[k], w.bad()[k]);
            perWindow.add(Map.of("from_s", 10 * k, "req_per_s", w.ok()[k] / len, "p50_ms", s.p50(), "p99_ms", s.p99(),
                    "429", w.tooMany()[k], "errors", w.bad()[k]));
        }
        return perWindow;
    }
}
