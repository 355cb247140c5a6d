package dev.fovea.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
 * java -cp fovea-bench/target/fovea-bench.jar dev.fovea.bench.UploadBenchmark --url http://127.0.0.1:PORT \
 *     --token TOKEN --project upload-bench [--data /tmp/fovea-bench/import-data] [--clients 8] [--seconds 60] \
 *     [--server-pid PID] [--jcmd $JAVA_HOME/bin/jcmd] [--heap-every 5] [--seed 42]
 * </pre>
 */
public final class UploadBenchmark {
    private static final int MAX_ERRORS_SHOWN = 5;
    private static final byte CREATED = 1, DUPLICATE = 2, ERROR = 3;

    private UploadBenchmark() {}

    record Image(String name, byte[] bytes, String contentType) {}

    /** One heap reading from jcmd: seconds since the start, heap used and committed in KiB, how long jcmd took. */
    record HeapSample(double at, long usedKib, long committedKib, long jcmdMillis) {}

    /** What every client reports into while the load runs. */
    static final class Shared {
        final AtomicLong created = new AtomicLong(), duplicate = new AtomicLong(), errors = new AtomicLong();
        final AtomicInteger errorsShown = new AtomicInteger();
        final AtomicLong allCreatedAt = new AtomicLong(-1); // nanos since start when the last distinct image was created
        final int distinct;
        final long start, deadline;
        volatile boolean stop;

        Shared(int distinct, long start, long deadline) {
            this.distinct = distinct;
            this.start = start;
            this.deadline = deadline;
        }
    }

    /** Per-request records of one client: completion time (nanos since start), latency (nanos), outcome. */
    static final class Records {
        long[] end = new long[4096], latency = new long[4096];
        byte[] kind = new byte[4096];
        int size;

        void add(long endNanos, long latencyNanos, byte outcome) {
            if (size == end.length) {
                end = Arrays.copyOf(end, size * 2);
                latency = Arrays.copyOf(latency, size * 2);
                kind = Arrays.copyOf(kind, size * 2);
            }
            end[size] = endNanos;
            latency[size] = latencyNanos;
            kind[size] = outcome;
            size++;
        }
    }

    /** One client: its own HTTP connection, its first-pass slice, then endless shuffled passes over all images. */
    static final class Client implements Runnable {
        final int number;
        final List<Image> images;
        final int[] firstPass;
        final Random random;
        final URI uri;
        final String token;
        final Shared shared;
        final Records records = new Records();
        final HttpClient http;

        Client(int number, List<Image> images, int[] firstPass, long seed, URI uri, String token, Shared shared) {
            this.number = number;
            this.images = images;
            this.firstPass = firstPass;
            this.random = new Random(seed + 1 + number);
            this.uri = uri;
            this.token = token;
            this.shared = shared;
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        }

        @Override
        public void run() {
            int[] order = firstPass;
            int position = 0;
            int[] all = new int[images.size()];
            for (int i = 0; i < all.length; i++) all[i] = i;
            while (!shared.stop && System.nanoTime() < shared.deadline) {
                if (position == order.length) { // next pass: all images in this client's own shuffled order
                    shuffle(all, random);
                    order = all;
                    position = 0;
                    if (order.length == 0) break;
                }
                Image image = images.get(order[position++]);
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + token)
                        .header("X-Filename", image.name())
                        .header("Content-Type", image.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(image.bytes())).build();
                long t0 = System.nanoTime();
                int status;
                String body;
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    status = response.statusCode();
                    body = response.body();
                } catch (IOException e) {
                    status = 0;
                    body = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                long t1 = System.nanoTime();
                byte outcome;
                if (status == 201) {
                    outcome = CREATED;
                    if (shared.created.incrementAndGet() == shared.distinct) shared.allCreatedAt.set(t1 - shared.start);
                } else if (status == 200) {
                    outcome = DUPLICATE;
                    shared.duplicate.incrementAndGet();
                } else {
                    outcome = ERROR;
                    shared.errors.incrementAndGet();
                    if (shared.errorsShown.getAndIncrement() < MAX_ERRORS_SHOWN) {
                        String shown = body == null ? "" : body.length() > 400 ? body.substring(0, 400) + "..." : body;
                        System.out.printf(Locale.ROOT, "error: client %d, %s: %s %s%n", number, image.name(),
                                status == 0 ? "no response:" : "HTTP " + status, shown.replace('\n', ' '));
                    }
                }
                records.add(t1 - shared.start, t1 - t0, outcome);
                if (status == 0) sleepQuietly(100); // a refused or broken connection: do not spin
            }
        }
    }

    /** Reads the server process's memory and CPU from /proc, and its heap through jcmd. */
    static final class ServerProbe {
        private static final Pattern USED = Pattern.compile("used (\\d+)K");
        private static final Pattern COMMITTED = Pattern.compile("(?:committed|total) (\\d+)K");
        final long pid;
        final Path jcmd;
        final long ticksPerSecond = 100; // USER_HZ: 100 on every Linux that matters

        ServerProbe(long pid, Path jcmd) {
            this.pid = pid;
            this.jcmd = jcmd;
        }

        boolean alive() {
            return Files.exists(Path.of("/proc/" + pid));
        }

        /** VmRSS in KiB, or -1 when the process is gone. */
        long rssKib() {
            return statusField("VmRSS:");
        }

        long threads() {
            return statusField("Threads:");
        }

        private long statusField(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith(field)) return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return -1;
        }

        /** User + system CPU time of the whole process in milliseconds, or -1. */
        long cpuMillis() {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / ticksPerSecond;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        String jvmOptions() {
            try {
                String[] args = Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0");
                return Arrays.stream(args).filter(a -> a.startsWith("-X")).collect(Collectors.joining(" "));
            } catch (IOException | RuntimeException e) {
                return "?";
            }
        }

        /** Runs jcmd with one command and returns its output, or null (and says why) when it fails. */
        String jcmd(String command) {
            try {
                Process p = new ProcessBuilder(jcmd.toString(), "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1",
                        Long.toString(pid), command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return null;
                }
                if (p.exitValue() != 0) {
                    System.out.println("jcmd " + command + " failed (exit " + p.exitValue() + "): " + out.strip());
                    return null;
                }
                return out;
            } catch (IOException e) {
                System.out.println("jcmd " + command + " failed: " + e);
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /** GC.heap_info: the heap line, e.g. " garbage-first heap   total reserved 1048576K, committed 262144K, used 105612K [...". */
        HeapSample heap(double at) {
            long t0 = System.nanoTime();
            String out = jcmd("GC.heap_info");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (out == null) return null;
            for (String line : out.split("\n")) {
                if (!line.contains("heap") || line.contains("Metaspace")) continue;
                Matcher used = USED.matcher(line), committed = COMMITTED.matcher(line);
                long c = -1;
                while (committed.find()) c = Long.parseLong(committed.group(1)); // the last of total/committed
                if (used.find()) return new HeapSample(at, Long.parseLong(used.group(1)), c, millis);
            }
            System.out.println("jcmd GC.heap_info: no heap line with 'used NK' in: " + out.strip());
            return null;
        }

        private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(.+?)\\s*$");

        /** GC.class_histogram (which runs a full GC first): live bytes per class, or null. */
        java.util.Map<String, Long> histogram() {
            String out = jcmd("GC.class_histogram");
            if (out == null) return null;
            java.util.Map<String, Long> bytes = new java.util.HashMap<>();
            for (String line : out.split("\n")) {
                Matcher m = HISTOGRAM_ROW.matcher(line);
                if (m.matches()) bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
            }
            return bytes;
        }

        /** Asks for a full GC, then reads the heap: the live heap. */
        HeapSample liveHeap(double at) {
            if (jcmd("GC.run") == null) return null;
            return heap(at);
        }
    }

    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:8080", token = null, project = null;
        Path data = PrepareImportData.DEFAULT_OUT;
        int clients = 8, seconds = 60, heapEvery = 5;
        long seed = 42, serverPid = -1;
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = value(args, ++i).replaceAll("/+$", "");
                case "--token" -> token = value(args, ++i);
                case "--project" -> project = value(args, ++i);
                case "--data" -> data = Path.of(value(args, ++i));
                case "--clients" -> clients = Integer.parseInt(value(args, ++i));
                case "--seconds" -> seconds = Integer.parseInt(value(args, ++i));
                case "--server-pid" -> serverPid = Long.parseLong(value(args, ++i));
                case "--jcmd" -> jcmd = Path.of(value(args, ++i));
                case "--heap-every" -> heapEvery = Integer.parseInt(value(args, ++i));
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (token == null) token = System.getenv("FOVEA_TOKEN");
        if (token == null || project == null) usage("--token (or env FOVEA_TOKEN) and --project are required");
        if (!Files.isDirectory(data)) usage("data folder " + data + " does not exist; prepare it with PrepareImportData");
        if (clients < 1 || seconds < 1 || heapEvery < 1) usage("--clients, --seconds and --heap-every must be at least 1");

        List<Image> images = load(data);
        if (images.isEmpty()) usage("no .jpg or .png files under " + data);
        long dataBytes = images.stream().mapToLong(im -> im.bytes().length).sum();
        URI uri = URI.create(url + "/api/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8) + "/images");
        ServerProbe probe = serverPid > 0 ? new ServerProbe(serverPid, jcmd) : null;
        if (probe != null && !probe.alive()) usage("no process with pid " + serverPid);
        boolean heapProbe = probe != null && Files.isExecutable(jcmd);

        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "upload benchmark: %d clients for %d s against POST %s%n", clients, seconds, uri);
        System.out.printf(Locale.ROOT, "data: %d images (%.1f MB) from %s, seed %d; client JVM %s, %d cores%n",
                images.size(), dataBytes / 1e6, data, seed, Runtime.version(), cores);
        if (probe != null) {
            System.out.printf(Locale.ROOT, "server: pid %d, JVM options '%s'; RSS and CPU every 1 s from /proc, heap"
                    + " every %d s from %s%n", serverPid, probe.jvmOptions(), heapEvery, heapProbe ? jcmd + " GC.heap_info"
                    : "(no jcmd at " + jcmd + ": heap not sampled)");
        } else {
            System.out.println("server: no --server-pid given, so its memory is not sampled");
        }

        HeapSample liveBefore = null;
        long rssBefore = -1;
        java.util.Map<String, Long> histogramBefore = null;
        if (heapProbe) {
            histogramBefore = probe.histogram();
            liveBefore = probe.liveHeap(0);
            rssBefore = probe.rssKib();
            if (liveBefore != null) {
                System.out.printf(Locale.ROOT, "before the load: live heap %.1f MiB after a full GC (committed %.1f MiB),"
                        + " RSS %.1f MiB%n", mib(liveBefore.usedKib()), mib(liveBefore.committedKib()), mib(rssBefore));
            }
        }

        // The first pass: one shuffled order, cut into one slice per client.
        int[] everything = new int[images.size()];
        for (int i = 0; i < everything.length; i++) everything[i] = i;
        shuffle(everything, new Random(seed));
        long cpuStart = probe != null ? probe.cpuMillis() : -1;
        long clientCpuStart = clientCpuNanos(), jcmdCpuStart = childrenCpuMillis();
        long start = System.nanoTime();
        Shared shared = new Shared(images.size(), start, start + TimeUnit.SECONDS.toNanos(seconds));
        List<Client> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int from = (int) ((long) c * images.size() / clients), to = (int) ((long) (c + 1) * images.size() / clients);
            Client client = new Client(c, images, Arrays.copyOfRange(everything, from, to), seed, uri, token, shared);
            workers.add(client);
            Thread t = new Thread(client, "upload-client-" + c);
            threads.add(t);
        }

        List<HeapSample> heapSamples = Collections.synchronizedList(new ArrayList<>());
        Thread heapThread = null;
        if (heapProbe) {
            int every = heapEvery;
            heapThread = new Thread(() -> {
                for (int k = 0; !shared.stop; k++) {
                    long at = start + TimeUnit.SECONDS.toNanos((long) k * every);
                    long wait = at - System.nanoTime();
                    if (wait > 0) sleepQuietly(TimeUnit.NANOSECONDS.toMillis(wait));
                    if (shared.stop) break;
                    HeapSample s = probe.heap((System.nanoTime() - start) / 1e9);
                    if (s != null) heapSamples.add(s);
                }
            }, "heap-sampler");
            heapThread.setDaemon(true);
        }

        System.out.println();
        System.out.println("     s   req/s   created  duplicate  errors   RSS MiB  threads  CPU %   heap used MiB (jcmd)");
        threads.forEach(Thread::start);
        if (heapThread != null) heapThread.start();

        List<Long> rssSeries = new ArrayList<>();
        List<Long> reqSeries = new ArrayList<>();
        long previousDone = 0, previousCpu = cpuStart;
        int heapShown = 0;
        for (int k = 1; threads.stream().anyMatch(Thread::isAlive); k++) {
            long wait = start + TimeUnit.SECONDS.toNanos(k) - System.nanoTime();
            if (wait > 0) sleepQuietly(TimeUnit.NANOSECONDS.toMillis(wait) + 1);
            long created = shared.created.get(), duplicate = shared.duplicate.get(), errors = shared.errors.get();
            long done = created + duplicate + errors;
            String memory = "";
            if (probe != null) {
                long rss = probe.rssKib(), cpu = probe.cpuMillis();
                if (rss < 0) {
                    System.out.printf(Locale.ROOT, "%6d  the server process %d has exited; stopping%n", k, serverPid);
                    shared.stop = true;
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
            reqSeries.add(done - previousDone);
            System.out.printf(Locale.ROOT, "%6d  %6d  %8d  %9d  %6d%s%n", k, done - previousDone, created, duplicate,
                    errors, memory);
            previousDone = done;
        }
        for (Thread t : threads) t.join();
        shared.stop = true;
        long cpuEnd = probe != null ? probe.cpuMillis() : -1;
        if (heapThread != null) heapThread.join(60_000);
        long clientCpu = clientCpuNanos() - clientCpuStart;
        double jcmdCpuSeconds = jcmdCpuStart >= 0 ? (childrenCpuMillis() - jcmdCpuStart) / 1000.0 : Double.NaN;

        // Everything measured comes from the per-request records.
        int total = workers.stream().mapToInt(w -> w.records.size).sum();
        long[] allLatency = new long[total], createdLatency = new long[total], duplicateLatency = new long[total];
        int nAll = 0, nCreated = 0, nDuplicate = 0, nErrors = 0;
        long lastEnd = 0;
        long allCreatedAt = shared.allCreatedAt.get();
        long okAfter = 0, okBefore = 0, okLast10 = 0;
        long last10From = TimeUnit.SECONDS.toNanos(Math.max(0, seconds - 10));
        for (Client w : workers) {
            Records r = w.records;
            for (int i = 0; i < r.size; i++) {
                allLatency[nAll++] = r.latency[i];
                lastEnd = Math.max(lastEnd, r.end[i]);
                switch (r.kind[i]) {
                    case CREATED -> createdLatency[nCreated++] = r.latency[i];
                    case DUPLICATE -> duplicateLatency[nDuplicate++] = r.latency[i];
                    default -> nErrors++;
                }
                if (r.kind[i] != ERROR) {
                    if (allCreatedAt >= 0 && r.end[i] > allCreatedAt) okAfter++;
                    else okBefore++;
                    if (r.end[i] > last10From) okLast10++;
                }
            }
        }
        double duration = lastEnd / 1e9;
        int ok = nCreated + nDuplicate;
        double rate = ok / duration;
        double firstSeconds = allCreatedAt >= 0 ? allCreatedAt / 1e9 : Double.NaN;
        double firstRate = images.size() / firstSeconds;
        double firstRequestRate = okBefore / firstSeconds;
        double steadySeconds = duration - firstSeconds;
        double steadyRate = okAfter / steadySeconds;
        double last10Rate = okLast10 / (duration - last10From / 1e9);
        Stat all = Stat.of(allLatency, nAll), createdStat = Stat.of(createdLatency, nCreated),
                duplicateStat = Stat.of(duplicateLatency, nDuplicate);

        HeapSample liveAfter = null;
        if (heapProbe && probe.alive()) liveAfter = probe.liveHeap(duration);
        long rssAfterGc = liveAfter != null ? probe.rssKib() : -1;
        java.util.Map<String, Long> histogramAfter = heapProbe && probe.alive() ? probe.histogram() : null;
        String nmt = heapProbe && probe.alive() && probe.jvmOptions().contains("NativeMemoryTracking")
                ? probe.jcmd("VM.native_memory summary") : null;
        long[] rss = rssSeries.stream().mapToLong(Long::longValue).toArray();
        List<HeapSample> heaps = List.copyOf(heapSamples);
        long heapMin = heaps.stream().mapToLong(HeapSample::usedKib).min().orElse(-1);
        long heapMax = heaps.stream().mapToLong(HeapSample::usedKib).max().orElse(-1);
        long committedMax = heaps.stream().mapToLong(HeapSample::committedKib).max().orElse(-1);
        double jcmdMillis = heaps.stream().mapToLong(HeapSample::jcmdMillis).average().orElse(Double.NaN);
        double serverCpuSeconds = cpuStart >= 0 && cpuEnd >= 0 ? (cpuEnd - cpuStart) / 1000.0 : Double.NaN;

        System.out.println();
        System.out.printf(Locale.ROOT, "== Result: %d clients, %.1f s (the last requests end after the %d s)%n", clients,
                duration, seconds);
        System.out.printf(Locale.ROOT, "throughput:  %.1f images/s (all 2xx: %d created + %d duplicate in %.1f s)%n",
                rate, nCreated, nDuplicate, duration);
        if (allCreatedAt >= 0) {
            System.out.printf(Locale.ROOT, "first pass:  all %d distinct images created in %.2f s = %.1f images/s created"
                    + " (%.1f requests/s incl. %d duplicates from clients done with their slice)%n", images.size(),
                    firstSeconds, firstRate, firstRequestRate, okBefore - images.size());
            System.out.printf(Locale.ROOT, "steady:      %.1f images/s after that (%d uploads in %.1f s, all duplicates)%n",
                    steadyRate, okAfter, steadySeconds);
        } else {
            System.out.printf(Locale.ROOT, "first pass:  NOT complete: %d of %d distinct images created in %.1f s%n",
                    nCreated, images.size(), duration);
        }
        System.out.printf(Locale.ROOT, "last 10 s:   %.1f images/s (2xx from %d s to the end; still rising here means the"
                + " server, or the client, is still warming up)%n", last10Rate, last10From / 1_000_000_000L);
        System.out.printf(Locale.ROOT, "errors:      %d (non-2xx responses and failed exchanges)%n", nErrors);
        System.out.println("latency per request, ms:      p50      p95      p99      max       n");
        System.out.println("  all                     " + all.format());
        System.out.println("  created (201)           " + createdStat.format());
        System.out.println("  duplicate (200)         " + duplicateStat.format());
        if (probe != null && rss.length > 0) {
            System.out.printf(Locale.ROOT, "server RSS:  min %.1f  max %.1f  first %.1f  last %.1f MiB (sampled each"
                    + " second; %.1f MiB before the load, %.1f MiB after the closing full GC)%n",
                    mib(Arrays.stream(rss).min().getAsLong()), mib(Arrays.stream(rss).max().getAsLong()), mib(rss[0]),
                    mib(rss[rss.length - 1]), mib(rssBefore), mib(rssAfterGc));
            System.out.printf(Locale.ROOT, "server CPU:  %.1f s over the run = %.0f%% of one core, %.2f ms CPU per"
                    + " request; the client used %.1f s CPU (same machine)%n", serverCpuSeconds,
                    100 * serverCpuSeconds / duration, 1000 * serverCpuSeconds / Math.max(1, nAll), clientCpu / 1e9);
        }
        if (!heaps.isEmpty()) {
            System.out.printf(Locale.ROOT, "server heap: used min %.1f  max %.1f MiB over %d samples (committed up to %.1f"
                    + " MiB; jcmd took %.0f ms wall a call, %.1f s CPU in all)%n", mib(heapMin), mib(heapMax), heaps.size(),
                    mib(committedMax), jcmdMillis, jcmdCpuSeconds);
        }
        if (liveBefore != null && liveAfter != null) {
            System.out.printf(Locale.ROOT, "live heap:   %.1f MiB before, %.1f MiB after the load (after a full GC each"
                    + " time)%n", mib(liveBefore.usedKib()), mib(liveAfter.usedKib()));
        }
        if (histogramBefore != null && histogramAfter != null) {
            java.util.Map<String, Long> growth = new java.util.HashMap<>(histogramAfter);
            histogramBefore.forEach((k, v) -> growth.merge(k, -v, Long::sum));
            System.out.println("live heap growth by class, top 8 (jcmd GC.class_histogram before and after the load):");
            growth.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                    .forEach(e -> System.out.printf(Locale.ROOT, "  %+9.1f KiB  %s%n", e.getValue() / 1024.0, e.getKey()));
        }
        if (nmt != null) { // only when the server runs with -XX:NativeMemoryTracking=summary
            System.out.println("server native memory (jcmd VM.native_memory summary, after the closing full GC):");
            for (String line : nmt.split("\n")) {
                String t = line.strip();
                if (t.startsWith("Total:") || (t.startsWith("-") && t.contains("(reserved="))) {
                    System.out.println("  " + t.replaceFirst("^-\\s+", "").replaceAll("\\s+", " "));
                }
            }
        }
        System.out.println();

        StringBuilder json = new StringBuilder("{\"benchmark\":\"upload\"");
        json.append(",\"url\":").append(quote(uri.toString()));
        json.append(",\"data\":").append(quote(data.toString()));
        json.append(",\"files\":").append(images.size());
        json.append(",\"data_bytes\":").append(dataBytes);
        json.append(",\"clients\":").append(clients);
        json.append(",\"seconds\":").append(seconds);
        json.append(",\"seed\":").append(seed);
        json.append(",\"duration_s\":").append(num(duration));
        json.append(",\"requests\":").append(nAll);
        json.append(",\"created\":").append(nCreated);
        json.append(",\"duplicate\":").append(nDuplicate);
        json.append(",\"errors\":").append(nErrors);
        json.append(",\"images_per_s\":").append(num(rate));
        json.append(",\"first_pass\":{\"images\":").append(images.size()).append(",\"seconds\":").append(num(firstSeconds))
                .append(",\"created_per_s\":").append(num(firstRate)).append(",\"requests_per_s\":")
                .append(num(firstRequestRate)).append('}');
        json.append(",\"steady\":{\"seconds\":").append(num(steadySeconds)).append(",\"requests\":").append(okAfter)
                .append(",\"images_per_s\":").append(num(steadyRate)).append('}');
        json.append(",\"last_10s_images_per_s\":").append(num(last10Rate));
        json.append(",\"latency_ms\":{\"all\":").append(all.json()).append(",\"created\":").append(createdStat.json())
                .append(",\"duplicate\":").append(duplicateStat.json()).append('}');
        if (probe != null && rss.length > 0) {
            json.append(",\"server_pid\":").append(serverPid);
            json.append(",\"server_jvm_options\":").append(quote(probe.jvmOptions()));
            json.append(",\"rss_mib\":{\"min\":").append(num(mib(Arrays.stream(rss).min().getAsLong())))
                    .append(",\"max\":").append(num(mib(Arrays.stream(rss).max().getAsLong())))
                    .append(",\"first\":").append(num(mib(rss[0]))).append(",\"last\":").append(num(mib(rss[rss.length - 1])))
                    .append(",\"before\":").append(num(mib(rssBefore))).append(",\"after_gc\":").append(num(mib(rssAfterGc)))
                    .append('}');
            json.append(",\"server_cpu_s\":").append(num(serverCpuSeconds));
            json.append(",\"client_cpu_s\":").append(num(clientCpu / 1e9));
            json.append(",\"jcmd_cpu_s\":").append(num(jcmdCpuSeconds));
        }
        if (!heaps.isEmpty()) {
            json.append(",\"heap_used_mib\":{\"min\":").append(num(mib(heapMin))).append(",\"max\":").append(num(mib(heapMax)))
                    .append(",\"committed_max\":").append(num(mib(committedMax))).append(",\"samples\":").append(heaps.size())
                    .append('}');
        }
        if (liveBefore != null || liveAfter != null) {
            json.append(",\"live_heap_mib\":{\"before\":").append(liveBefore == null ? "null" : num(mib(liveBefore.usedKib())))
                    .append(",\"after\":").append(liveAfter == null ? "null" : num(mib(liveAfter.usedKib()))).append('}');
        }
        json.append(",\"per_second\":{\"requests\":").append(reqSeries);
        json.append(",\"rss_mib\":[").append(rssSeries.stream().map(v -> num(mib(v))).collect(Collectors.joining(",")))
                .append("]}");
        json.append(",\"heap_samples\":[").append(heaps.stream()
                .map(s -> "[" + num(s.at()) + "," + num(mib(s.usedKib())) + "]").collect(Collectors.joining(","))).append(']');
        json.append(",\"client_jvm\":").append(quote(Runtime.version().toString()));
        json.append(",\"cores\":").append(cores);
        json.append(",\"at\":").append(quote(Instant.now().toString()));
        json.append('}');
        System.out.println(json);
    }

    /** Latency percentiles (nearest rank) in ms. */
    record Stat(double p50, double p95, double p99, double max, int n) {
        static Stat of(long[] nanos, int n) {
            if (n == 0) return new Stat(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
            long[] sorted = Arrays.copyOf(nanos, n);
            Arrays.sort(sorted);
            return new Stat(rank(sorted, 50), rank(sorted, 95), rank(sorted, 99), sorted[n - 1] / 1e6, n);
        }

        private static double rank(long[] sorted, double p) {
            int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }

        String format() {
            return String.format(Locale.ROOT, "%8.1f %8.1f %8.1f %8.1f %7d", p50, p95, p99, max, n);
        }

        String json() {
            return "{\"p50\":" + num(p50) + ",\"p95\":" + num(p95) + ",\"p99\":" + num(p99) + ",\"max\":" + num(max)
                    + ",\"n\":" + n + "}";
        }
    }

    /** The .jpg and .png files under the folder, sorted by relative path, read into memory. */
    static List<Image> load(Path data) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
            }).sorted(java.util.Comparator.comparing(p -> data.relativize(p).toString().replace('\\', '/'))).toList();
        }
        List<Image> images = new ArrayList<>();
        for (Path p : files) {
            String name = data.relativize(p).toString().replace('\\', '/');
            String type = name.toLowerCase(Locale.ROOT).endsWith(".png") ? "image/png" : "image/jpeg";
            images.add(new Image(name, Files.readAllBytes(p), type));
        }
        return images;
    }

    static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** CPU time of this process's finished children (the jcmd calls), in ms, from /proc/self/stat; -1 if unknown. */
    private static long childrenCpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10; // cutime + cstime, at 100 ticks a second
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long clientCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static double mib(long kib) {
        return kib < 0 ? Double.NaN : kib / 1024.0;
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v).replaceFirst("\\.?0+$", "") : "null";
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) usage(args[i - 1] + " needs a value");
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("UploadBenchmark: " + problem);
        System.err.println("usage: UploadBenchmark --url http://127.0.0.1:PORT --token TOKEN --project NAME [--data DIR]"
                + " [--clients 8] [--seconds 60] [--server-pid PID] [--jcmd PATH] [--heap-every 5] [--seed 42]");
        System.exit(2);
    }
}
