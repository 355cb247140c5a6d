package dev.fovea.bench;

import dev.fovea.core.imports.ImageIngest;
import dev.fovea.core.imports.ImportLimits;
import dev.fovea.core.imports.ImportListener;
import dev.fovea.core.imports.ImportRequest;
import dev.fovea.core.imports.ImportResult;
import dev.fovea.core.imports.ImportService;
import dev.fovea.core.imports.ImportTimings;
import dev.fovea.store.Storage;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Import throughput: imports a prepared folder ({@link PrepareImportData}) into a fresh embedded workspace (H2 file
 * database, blobs as files) with {@link ImportService}, the path {@code fovea import} takes, and reports images/s
 * over wall time and where the time per image goes (read, hash, decode, thumbnail, measure, store).
 *
 * <p>One warm-up import first (not reported), then {@code --reps} measured ones, each into its own new workspace
 * so that every image is new; the median and min/max over the repetitions are printed, and a last line of JSON.
 * Opening the workspace (Flyway migration) is not timed; the import itself is, from listing the folder to the
 * last committed row. The "store" stage is split further into blob files and database rows by timing wrappers
 * around the stores ({@link TimedStores}), which also time the duplicate lookup that no stage counts.
 *
 * <pre>
 * java -Xmx1g -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.ImportBenchmark \
 *     [--data /tmp/fovea-bench/import-data] [--threads 2] [--reps 3] [--work DIR]
 * </pre>
 */
public final class ImportBenchmark {
    private static final String[] STAGES = {"read", "hash", "decode", "thumbnail", "measure", "store"};
    /** Measured by {@link TimedStores}: the two parts of "store", and the duplicate lookup that no stage counts. */
    private static final String[] DETAILS = {"store_blob_files", "store_db_rows", "lookup"};

    private ImportBenchmark() {}

    /** One measured import. */
    record Run(int files, int imported, int duplicates, int rejected, double seconds, double[] stageMsPerImage,
            double[] detailMsPerImage) {
        double imagesPerSecond() {
            return files / seconds;
        }
    }

    public static void main(String[] args) throws IOException {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // Hikari and Flyway chatter
        }
        Path data = PrepareImportData.DEFAULT_OUT;
        Path work = null;
        int threads = 2, reps = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--reps" -> reps = Integer.parseInt(value(args, ++i));
                case "--work" -> work = Path.of(value(args, ++i));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (!Files.isDirectory(data)) usage("data folder " + data + " does not exist; prepare it with PrepareImportData");
        if (threads < 1 || reps < 1) usage("--threads and --reps must be at least 1");
        ImportLimits limits = new ImportLimits(ImportLimits.DEFAULT_MAX_PIXELS, ImportLimits.DEFAULT_MAX_FILE_BYTES, threads);

        Map<String, Integer> formats = new TreeMap<>();
        long dataBytes = 0;
        int dataFiles = 0;
        try (Stream<Path> walk = Files.walk(data)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                formats.merge(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT), 1, Integer::sum);
                dataBytes += Files.size(p);
                dataFiles++;
            }
        }
        long maxHeap = Runtime.getRuntime().maxMemory();
        String xmx = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).reduce((a, b) -> b).orElse("(not set)");
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        int cores = Runtime.getRuntime().availableProcessors();
        String jvm = Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor") + ")";

        System.out.println("== Fovea import benchmark");
        System.out.printf(Locale.ROOT, "data:    %s: %d files, %s, %.1f MB (%.1f KB/file)%n", data, dataFiles, formats,
                dataBytes / 1e6, dataBytes / 1e3 / Math.max(1, dataFiles));
        System.out.printf(Locale.ROOT, "jvm:     %s%n", jvm);
        System.out.printf(Locale.ROOT, "machine: %d cores (availableProcessors), %s %s%n", cores,
                System.getProperty("os.name"), System.getProperty("os.arch"));
        System.out.printf(Locale.ROOT, "heap:    %s, max heap %d MiB; GC: %s%n", xmx, maxHeap >> 20, gcs);
        System.out.printf(Locale.ROOT, "import:  %d threads, ImportLimits(maxPixels=%d, maxFileBytes=%d), embedded H2"
                        + " workspace per run; 1 warm-up + %d measured runs%n",
                threads, limits.maxPixels(), limits.maxFileBytes(), reps);
        System.out.println();

        Run warmup = importOnce(data, work, limits);
        System.out.printf(Locale.ROOT, "warm-up  %7.2f s  %7.1f images/s  (not counted)%n", warmup.seconds(),
                warmup.imagesPerSecond());
        List<Run> runs = new ArrayList<>();
        for (int r = 1; r <= reps; r++) {
            Run run = importOnce(data, work, limits);
            runs.add(run);
            System.out.printf(Locale.ROOT, "run %-4d %7.2f s  %7.1f images/s  ms/image: %s%n", r, run.seconds(),
                    run.imagesPerSecond(), stageLine(run.stageMsPerImage()));
            if (run.imported() != run.files()) {
                System.out.printf(Locale.ROOT, "         note: %d of %d files imported as new (%d duplicates, %d rejected)%n",
                        run.imported(), run.files(), run.duplicates(), run.rejected());
            }
        }

        Stat rate = Stat.of(runs.stream().mapToDouble(Run::imagesPerSecond).toArray());
        Stat seconds = Stat.of(runs.stream().mapToDouble(Run::seconds).toArray());
        Map<String, Stat> stages = new LinkedHashMap<>();
        for (int s = 0; s < STAGES.length; s++) {
            int stage = s;
            stages.put(STAGES[s], Stat.of(runs.stream().mapToDouble(run -> run.stageMsPerImage()[stage]).toArray()));
        }
        Map<String, Stat> details = new LinkedHashMap<>();
        for (int d = 0; d < DETAILS.length; d++) {
            int detail = d;
            details.put(DETAILS[d], Stat.of(runs.stream().mapToDouble(run -> run.detailMsPerImage()[detail]).toArray()));
        }
        Stat stageSum = Stat.of(runs.stream().mapToDouble(run -> Arrays.stream(run.stageMsPerImage()).sum()).toArray());
        Run last = runs.get(runs.size() - 1);

        System.out.println();
        System.out.printf(Locale.ROOT, "== Result over %d runs (median [min .. max]), %d files per run%n", reps, last.files());
        System.out.printf(Locale.ROOT, "throughput:  %s images/s (wall clock, %d threads)%n", rate.format("%.1f"), threads);
        System.out.printf(Locale.ROOT, "wall time:   %s s per import%n", seconds.format("%.2f"));
        System.out.printf(Locale.ROOT, "wall time:   %.2f ms per image (median)%n", 1000.0 / rate.median());
        System.out.println("cost split, ms per image: CPU-thread-time sums, i.e. each stage's time on its thread added up over"
                + " all threads (not wall clock; includes waits such as fsync):");
        for (var e : stages.entrySet()) {
            System.out.printf(Locale.ROOT, "  %-10s %s ms  (%4.1f%%)%n", e.getKey(), e.getValue().format("%6.3f"),
                    100 * e.getValue().median() / stageSum.median());
        }
        System.out.printf(Locale.ROOT, "  %-10s %s ms%n", "sum", stageSum.format("%6.3f"));
        System.out.printf(Locale.ROOT, "  (read to measure and the blob writes of store run on the %d import"
                + " threads; the database rows of store on the one committing thread; wall ms/image x %d threads = %.2f)%n",
                threads, threads, threads * 1000.0 / rate.median());
        System.out.println("store in detail (timed around the stores by the benchmark, ms per image, summed over threads):");
        System.out.printf(Locale.ROOT, "  %-16s %s ms  (BlobStore.put of original + thumbnail, each forced to disk;"
                + " import threads)%n", "blob files", details.get("store_blob_files").format("%6.3f"));
        System.out.printf(Locale.ROOT, "  %-16s %s ms  (ImageStore add/addSource/clearRejection; committing thread)%n",
                "database rows", details.get("store_db_rows").format("%6.3f"));
        System.out.printf(Locale.ROOT, "  %-16s %s ms  (ImageStore.find before decoding; in no stage above)%n",
                "duplicate lookup", details.get("lookup").format("%6.3f"));

        StringBuilder json = new StringBuilder("{\"benchmark\":\"import\"");
        json.append(",\"data\":").append(quote(data.toString()));
        json.append(",\"files\":").append(last.files());
        json.append(",\"formats\":{").append(formats.entrySet().stream()
                .map(e -> quote(e.getKey()) + ":" + e.getValue()).collect(Collectors.joining(","))).append('}');
        json.append(",\"data_bytes\":").append(dataBytes);
        json.append(",\"threads\":").append(threads);
        json.append(",\"repetitions\":").append(reps);
        json.append(",\"jvm\":").append(quote(Runtime.version().toString()));
        json.append(",\"cores\":").append(cores);
        json.append(",\"xmx\":").append(quote(xmx));
        json.append(",\"max_heap_mib\":").append(maxHeap >> 20);
        json.append(",\"gc\":").append(quote(gcs));
        json.append(",\"images_per_s\":").append(rate.json());
        json.append(",\"seconds\":").append(seconds.json());
        json.append(",\"ms_per_image_thread_time\":{");
        for (var e : stages.entrySet()) json.append(quote(e.getKey())).append(':').append(e.getValue().json()).append(',');
        json.append("\"sum\":").append(stageSum.json()).append('}');
        json.append(",\"detail_ms_per_image_thread_time\":{").append(details.entrySet().stream()
                .map(e -> quote(e.getKey()) + ":" + e.getValue().json()).collect(Collectors.joining(","))).append('}');
        json.append(",\"runs_images_per_s\":").append(Arrays.toString(runs.stream()
                .mapToDouble(r -> round(r.imagesPerSecond())).toArray()).replace(" ", ""));
        json.append(",\"at\":").append(quote(Instant.now().toString()));
        json.append('}');
        System.out.println();
        System.out.println(json);
    }

    static Run importOnce(Path data, Path workParent, ImportLimits limits) throws IOException {
        Path workspace = workParent == null ? Files.createTempDirectory("fovea-bench-import-")
                : Files.createTempDirectory(Files.createDirectories(workParent), "fovea-bench-import-");
        try {
            try (Storage storage = Storage.embedded(workspace, Clock.systemUTC())) {
                TimedStores timed = new TimedStores();
                ImageIngest ingest = new ImageIngest(timed.images(storage.images()), timed.blobs(storage.blobs()),
                        storage.curation(), limits, Clock.systemUTC());
                ImportService service = new ImportService(storage.projects(), ingest);
                long start = System.nanoTime();
                ImportResult result = service.run(new ImportRequest(data, "bench", null, true), ImportListener.NONE);
                double seconds = (System.nanoTime() - start) / 1e9;
                int files = result.total();
                if (files == 0) throw new IllegalStateException("no files imported from " + data);
                ImportTimings.Snapshot t = result.timings();
                long[] nanos = {t.readNanos(), t.hashNanos(), t.decodeNanos(), t.thumbnailNanos(), t.measureNanos(),
                        t.storeNanos()};
                double[] msPerImage = Arrays.stream(nanos).mapToDouble(n -> n / 1e6 / files).toArray();
                TimedStores.Snapshot d = timed.snapshot();
                double[] detail = Arrays.stream(new long[] {d.blobPutNanos(), d.rowWriteNanos(), d.lookupNanos()})
                        .mapToDouble(n -> n / 1e6 / files).toArray();
                return new Run(files, result.imported(), result.duplicates(), result.rejected().size(), seconds, msPerImage,
                        detail);
            }
        } finally {
            PrepareImportData.deleteTree(workspace);
        }
    }

    record Stat(double median, double min, double max) {
        static Stat of(double[] values) {
            double[] v = values.clone();
            Arrays.sort(v);
            int n = v.length;
            double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            return new Stat(median, v[0], v[n - 1]);
        }

        String format(String number) {
            return String.format(Locale.ROOT, number + " [" + number + " .. " + number + "]", median, min, max);
        }

        String json() {
            return String.format(Locale.ROOT, "{\"median\":%s,\"min\":%s,\"max\":%s}", round(median), round(min), round(max));
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String stageLine(double[] ms) {
        StringBuilder line = new StringBuilder();
        for (int s = 0; s < STAGES.length; s++) {
            line.append(String.format(Locale.ROOT, "%s %.3f  ", STAGES[s], ms[s]));
        }
        return line.toString().strip();
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
        System.err.println("ImportBenchmark: " + problem);
        System.err.println("usage: ImportBenchmark [--data DIR] [--threads N] [--reps N] [--work DIR]");
        System.exit(2);
    }
}
