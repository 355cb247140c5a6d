package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import dev.fovea.bench.support.CpuTime;
import dev.fovea.bench.support.Pause;
import dev.fovea.bench.support.ServerProbe;
import dev.fovea.bench.support.ServerProbe.HeapSample;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Upload throughput and server memory: {@code --clients} threads POST the prepared images ({@link PrepareImportData})
 * as raw bodies to {@code POST /api/projects/{project}/images} of a running {@code fovea server} for
 * {@code --seconds}, and the server's memory is sampled from outside while they do.
 *
 * <p>Order: the first pass creates every image exactly once: the sorted file list is shuffled with the seed and
 * cut into one slice per client, and each client uploads its own slice first (so no image is sent twice before
 * all have been sent once, and "the first 1,000 distinct images" is a clean phase). After its slice, each client
 * loops over all images in its own shuffled order (seed + 1 + client number, reshuffled every pass); those uploads
 * are duplicates (HTTP 200). HTTP 201 counts as created, 200 as duplicate, anything else (and a failed exchange)
 * as an error; the first few error bodies are printed. Each client has its own {@link HttpClient} (HTTP/1.1, one
 * kept-alive connection) and sends one request at a time.
 *
 * <p>Server memory, sampled from outside the server: its resident set size ({@code VmRSS} of
 * {@code /proc/PID/status}) and CPU time ({@code /proc/PID/stat}) every second, and its Java heap in use from
 * {@code jcmd PID GC.heap_info} every {@code --heap-every} seconds (each jcmd call starts a small JVM, so not more
 * often). Before the load and after it the benchmark also asks for a full GC ({@code jcmd PID GC.run}) and reads
 * the heap in use after it: the live heap, to tell retained memory from garbage not yet collected.
 *
 * <pre>
 * java -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.UploadBenchmark --url http://127.0.0.1:PORT \
 *     --token TOKEN --project upload-bench [--data /tmp/fovea-bench/import-data] [--clients 8] [--seconds 60] \
 *     [--server-pid PID] [--jcmd $JAVA_HOME/bin/jcmd] [--heap-every 5] [--seed 42]
 * </pre>
 */
public final class UploadBenchmark {
    final UploadOptions options;
    final List<UploadClient.Image> images;
    final long dataBytes;
    final URI uri;
    final ServerProbe probe; // null without --server-pid
    final boolean heapProbe;

    // What the probe saw: before the load, every second and every --heap-every seconds of it, after it.
    HeapSample liveBefore, liveAfter;
    long rssBefore = -1, rssAfterGc = -1;
    Map<String, Long> histogramBefore, histogramAfter;
    String nativeMemory;
    final List<Long> rssSeries = new ArrayList<>(), requestSeries = new ArrayList<>();
    final List<HeapSample> heapSamples = Collections.synchronizedList(new ArrayList<>());
    long serverCpuStart = -1, serverCpuEnd = -1, clientCpuNanos;
    double jcmdCpuSeconds = Double.NaN;

    private UploadBenchmark(UploadOptions options, List<UploadClient.Image> images) {
        this.options = options;
        this.images = images;
        this.dataBytes = images.stream().mapToLong(im -> im.bytes().length).sum();
        this.uri = URI.create(options.url + "/api/projects/" + URLEncoder.encode(options.project, StandardCharsets.UTF_8)
                + "/images");
        this.probe = options.serverPid > 0 ? new ServerProbe(options.serverPid, options.jcmd) : null;
        this.heapProbe = probe != null && Files.isExecutable(options.jcmd);
    }

    public static void main(String[] args) throws Exception {
        UploadOptions o = BenchOptions.parse(new UploadOptions(), args).validated();
        List<UploadClient.Image> images = UploadClient.load(o.data);
        BenchOptions.require(!images.isEmpty(), o, "no .jpg or .png files under " + o.data);
        UploadBenchmark bench = new UploadBenchmark(o, images);
        BenchOptions.require(bench.probe == null || bench.probe.alive(), o, "no process with pid " + o.serverPid);
        UploadReport.printIntro(bench);
        bench.sampleBefore();
        Load load = bench.runLoad();
        UploadFigures figures = UploadFigures.of(load.clients(), load.progress(), images.size(), o.seconds);
        bench.sampleAfter(figures.duration());
        UploadReport.printResult(bench, figures);
        System.out.println(UploadReport.json(bench, figures));
    }

    private void sampleBefore() {
        if (!heapProbe) return;
        histogramBefore = probe.histogram();
        liveBefore = probe.liveHeap(0);
        rssBefore = probe.rssKib();
        if (liveBefore != null) {
            System.out.printf(Locale.ROOT, "before the load: live heap %.1f MiB after a full GC (committed %.1f MiB),"
                    + " RSS %.1f MiB%n", mib(liveBefore.usedKib()), mib(liveBefore.committedKib()), mib(rssBefore));
        }
    }

    /** The clients of a run, with their per-request records, and what they reported into. */
    private record Load(List<UploadClient> clients, UploadClient.Progress progress) {}

    /** Starts the clients and the heap sampler, prints a line a second until the clients are done. */
    private Load runLoad() throws InterruptedException {
        // The first pass: one shuffled order, cut into one slice per client.
        int[] everything = new int[images.size()];
        for (int i = 0; i < everything.length; i++) everything[i] = i;
        UploadClient.shuffle(everything, new Random(options.seed));
        serverCpuStart = probe != null ? probe.cpuMillis() : -1;
        long clientCpuStart = CpuTime.processNanos(), jcmdCpuStart = CpuTime.childrenMillis();
        long start = System.nanoTime();
        UploadClient.Progress progress = new UploadClient.Progress(images.size(), start,
                start + TimeUnit.SECONDS.toNanos(options.seconds));
        List<UploadClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < options.clients; c++) {
            int from = (int) ((long) c * images.size() / options.clients);
            int to = (int) ((long) (c + 1) * images.size() / options.clients);
            UploadClient client = new UploadClient(c, images, Arrays.copyOfRange(everything, from, to), options.seed, uri,
                    options.token, progress);
            clients.add(client);
            threads.add(new Thread(client, "upload-client-" + c));
        }
        Thread heapThread = heapProbe ? heapSampler(progress) : null;
        System.out.println();
        System.out.println("     s   req/s   created  duplicate  errors   RSS MiB  threads  CPU %   heap used MiB (jcmd)");
        threads.forEach(Thread::start);
        if (heapThread != null) heapThread.start();
        monitor(progress, threads);
        for (Thread t : threads) t.join();
        progress.stop = true;
        serverCpuEnd = probe != null ? probe.cpuMillis() : -1;
        if (heapThread != null) heapThread.join(60_000);
        clientCpuNanos = CpuTime.processNanos() - clientCpuStart;
        if (jcmdCpuStart >= 0) jcmdCpuSeconds = (CpuTime.childrenMillis() - jcmdCpuStart) / 1000.0;
        return new Load(clients, progress);
    }

    /** A daemon thread that reads the server's heap every --heap-every seconds until the load stops. */
    private Thread heapSampler(UploadClient.Progress progress) {
        Thread t = new Thread(() -> {
            for (int k = 0; !progress.stop; k++) {
                long at = progress.start + TimeUnit.SECONDS.toNanos((long) k * options.heapEvery);
                long wait = at - System.nanoTime();
                if (wait > 0) Pause.quietly(TimeUnit.NANOSECONDS.toMillis(wait));
                if (progress.stop) break;
                HeapSample s = probe.heap((System.nanoTime() - progress.start) / 1e9);
                if (s != null) heapSamples.add(s);
            }
        }, "heap-sampler");
        t.setDaemon(true);
        return t;
    }

    /** One line a second: requests, outcomes so far, and the server's RSS, threads, CPU and latest heap sample. */
    private void monitor(UploadClient.Progress progress, List<Thread> threads) {
        long previousDone = 0, previousCpu = serverCpuStart;
        int heapShown = 0;
        for (int k = 1; threads.stream().anyMatch(Thread::isAlive); k++) {
            long wait = progress.start + TimeUnit.SECONDS.toNanos(k) - System.nanoTime();
            if (wait > 0) Pause.quietly(TimeUnit.NANOSECONDS.toMillis(wait) + 1);
            long done = progress.done();
            String memory = "";
            if (probe != null) {
                long rss = probe.rssKib(), cpu = probe.cpuMillis();
                if (rss < 0) {
                    System.out.printf(Locale.ROOT, "%6d  the server process %d has exited; stopping%n", k, options.serverPid);
                    progress.stop = true;
                    break;
                }
                rssSeries.add(rss);
                String heap = "";
                synchronized (heapSamples) {
                    if (heapSamples.size() > heapShown) {
                        HeapSample s = heapSamples.get(heapSamples.size() - 1);
                        heap = String.format(Locale.ROOT, "%.1f (at %.1f s, %d ms)", mib(s.usedKib()), s.at(), s.jcmdMillis());
                        heapShown = heapSamples.size();
                    }
                }
                memory = String.format(Locale.ROOT, "  %8.1f  %7d  %5.0f   %s", mib(rss), probe.threads(),
                        previousCpu < 0 || cpu < 0 ? Double.NaN : (cpu - previousCpu) / 10.0, heap);
                previousCpu = cpu;
            }
            requestSeries.add(done - previousDone);
            System.out.printf(Locale.ROOT, "%6d  %6d  %8d  %9d  %6d%s%n", k, done - previousDone, progress.created.get(),
                    progress.duplicate.get(), progress.errors.get(), memory);
            previousDone = done;
        }
    }

    /** After the load: the live heap after a full GC, the class histogram, native memory when tracked. */
    private void sampleAfter(double duration) {
        if (!heapProbe || !probe.alive()) return;
        liveAfter = probe.liveHeap(duration);
        if (liveAfter != null) rssAfterGc = probe.rssKib();
        histogramAfter = probe.alive() ? probe.histogram() : null;
        if (probe.alive() && probe.jvmOptions().contains("NativeMemoryTracking")) {
            nativeMemory = probe.jcmd("VM.native_memory summary");
        }
    }

    double serverCpuSeconds() {
        return serverCpuStart >= 0 && serverCpuEnd >= 0 ? (serverCpuEnd - serverCpuStart) / 1000.0 : Double.NaN;
    }

    static double mib(long kib) {
        return kib < 0 ? Double.NaN : kib / 1024.0;
    }
}
