package dev.fovea.bench;

import static dev.fovea.bench.ServeProcess.delta;
import static dev.fovea.bench.ServeProcess.scrape;
import static dev.fovea.bench.support.Latencies.summaryOf;

import dev.fovea.bench.BareCall.Bare;
import dev.fovea.bench.InferenceClient.Payload;
import dev.fovea.bench.InferenceClient.Records;
import dev.fovea.bench.ServeProcess.Config;
import dev.fovea.bench.ServeProcess.Server;
import dev.fovea.bench.support.CpuTime;
import dev.fovea.bench.support.Latencies.Summary;
import dev.fovea.bench.support.Pause;
import dev.fovea.bench.support.ServerProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** One closed-loop load phase against one server: its figures and its table rows. */
final class LoadPhase {
    private LoadPhase() {}

    /** What one load phase measured. */
    record Phase(String model, String batching, int concurrency, double seconds, Summary latency,
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

    static Phase phase(Config config, Server server, ServerProbe probe, String model, String batching,
            int concurrency, List<Payload> payloads, int warmup, int seconds) throws InterruptedException {
        URI uri = URI.create(server.url() + "/v2/models/" + model + "/infer");
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime(), from = start + TimeUnit.SECONDS.toNanos(warmup), to = from + TimeUnit.SECONDS.toNanos(seconds);
        List<InferenceClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            InferenceClient client = new InferenceClient(uri, config.predictToken(), payloads, c * payloads.size() / concurrency, to, errors);
            clients.add(client);
            threads.add(Thread.ofVirtual().name("client-" + c).start(client));
        }
        Pause.until(from);
        Map<String, Double> before;
        long serverCpu0 = probe.cpuMillis(), clientCpu0 = CpuTime.processNanos();
        long[] machine0 = CpuTime.machineTicksOrZero();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            before = scrape(http, config, server);
            Pause.until(to);
            long serverCpu1 = probe.cpuMillis(), clientCpu1 = CpuTime.processNanos();
            long[] machine1 = CpuTime.machineTicksOrZero();
            Map<String, Double> after = scrape(http, config, server);
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(70));
            for (InferenceClient c : clients) c.http.close();
            // Only requests that completed inside the measured window count.
            int total = clients.stream().mapToInt(c -> c.records.size).sum();
            long[] lat = new long[total];
            int n = 0;
            long wrong = 0;
            Map<Integer, Long> byStatus = new TreeMap<>();
            for (InferenceClient c : clients) {
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
            return new Phase(model, batching, concurrency, window, summaryOf(lat, n), byStatus, wrong,
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
}
