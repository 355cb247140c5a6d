package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import dev.fovea.bench.support.JsonObject;
import dev.fovea.bench.support.RunHeader;
import dev.fovea.bench.support.Spread;
import dev.fovea.core.imports.ImageIngest;
import dev.fovea.core.imports.ImportLimits;
import dev.fovea.core.imports.ImportListener;
import dev.fovea.core.imports.ImportRequest;
import dev.fovea.core.imports.ImportResult;
import dev.fovea.core.imports.ImportService;
import dev.fovea.core.imports.ImportTimings;
import dev.fovea.store.Storage;
import java.io.IOException;
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
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    /** The command line. */
    @Command(name = "ImportBenchmark", mixinStandardHelpOptions = true,
            description = "Import throughput into a fresh embedded workspace, with the cost split by stage (bench/import.sh).")
    static final class Options {
        @Option(names = "--data", description = "the prepared images (default ${DEFAULT-VALUE})")
        Path data = PrepareImportData.DEFAULT_OUT;

        @Option(names = "--threads", description = "import threads (default ${DEFAULT-VALUE})")
        int threads = 2;

        @Option(names = "--reps", description = "measured runs after a warm-up (default ${DEFAULT-VALUE})")
        int reps = 3;

        @Option(names = "--work", description = "where the workspaces go (default: the temporary folder)")
        Path work;
    }

    /** What the data folder holds. */
    private record DataSet(Map<String, Integer> formats, long bytes, int files) {}

    public static void main(String[] args) throws IOException {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // Hikari and Flyway chatter
        }
        Options o = BenchOptions.parse(new Options(), args);
        BenchOptions.require(Files.isDirectory(o.data), o,
                "data folder " + o.data + " does not exist; prepare it with PrepareImportData");
        BenchOptions.require(o.threads >= 1 && o.reps >= 1, o,
                "--threads and --reps must be at least 1, not " + o.threads + " and " + o.reps);
        ImportLimits limits = new ImportLimits(ImportLimits.DEFAULT_MAX_PIXELS, ImportLimits.DEFAULT_MAX_FILE_BYTES, o.threads);
        DataSet dataSet = describe(o.data);
        RunHeader header = RunHeader.ofThisJvm();
        System.out.println("== Fovea import benchmark");
        System.out.printf(Locale.ROOT, "data:    %s: %d files, %s, %.1f MB (%.1f KB/file)%n", o.data, dataSet.files(),
                dataSet.formats(), dataSet.bytes() / 1e6, dataSet.bytes() / 1e3 / Math.max(1, dataSet.files()));
        System.out.println(header.lines());
        System.out.printf(Locale.ROOT, "import:  %d threads, ImportLimits(maxPixels=%d, maxFileBytes=%d), embedded H2"
                        + " workspace per run; 1 warm-up + %d measured runs%n",
                o.threads, limits.maxPixels(), limits.maxFileBytes(), o.reps);
        System.out.println();
        List<Run> runs = runs(o, limits);
        System.out.println();
        System.out.println(result(o, dataSet, header, runs));
    }

    private static DataSet describe(Path data) throws IOException {
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
        return new DataSet(formats, dataBytes, dataFiles);
    }

    /** One warm-up import, then --reps measured ones, a line each. */
    private static List<Run> runs(Options o, ImportLimits limits) throws IOException {
        Run warmup = importOnce(o.data, o.work, limits);
        System.out.printf(Locale.ROOT, "warm-up  %7.2f s  %7.1f images/s  (not counted)%n", warmup.seconds(),
                warmup.imagesPerSecond());
        List<Run> runs = new ArrayList<>();
        for (int r = 1; r <= o.reps; r++) {
            Run run = importOnce(o.data, o.work, limits);
            runs.add(run);
            System.out.printf(Locale.ROOT, "run %-4d %7.2f s  %7.1f images/s  ms/image: %s%n", r, run.seconds(),
                    run.imagesPerSecond(), stageLine(run.stageMsPerImage()));
            if (run.imported() != run.files()) {
                System.out.printf(Locale.ROOT, "         note: %d of %d files imported as new (%d duplicates, %d rejected)%n",
                        run.imported(), run.files(), run.duplicates(), run.rejected());
            }
        }
        return runs;
    }

    /** Prints the result block; returns the result line. */
    private static JsonObject result(Options o, DataSet dataSet, RunHeader header, List<Run> runs) {
        Spread rate = Spread.of(runs.stream().mapToDouble(Run::imagesPerSecond).toArray());
        Spread seconds = Spread.of(runs.stream().mapToDouble(Run::seconds).toArray());
        Map<String, Spread> stages = new LinkedHashMap<>();
        for (int s = 0; s < STAGES.length; s++) {
            int stage = s;
            stages.put(STAGES[s], Spread.of(runs.stream().mapToDouble(run -> run.stageMsPerImage()[stage]).toArray()));
        }
        Map<String, Spread> details = new LinkedHashMap<>();
        for (int d = 0; d < DETAILS.length; d++) {
            int detail = d;
            details.put(DETAILS[d], Spread.of(runs.stream().mapToDouble(run -> run.detailMsPerImage()[detail]).toArray()));
        }
        Spread stageSum = Spread.of(runs.stream().mapToDouble(run -> Arrays.stream(run.stageMsPerImage()).sum()).toArray());
        Run last = runs.get(runs.size() - 1);
        printResult(o, last, rate, seconds, stages, details, stageSum);
        JsonObject json = JsonObject.of("benchmark", "import", "data", o.data.toString(), "files", last.files(),
                "formats", dataSet.formats(), "data_bytes", dataSet.bytes(), "threads", o.threads, "repetitions", o.reps);
        header.putInto(json);
        json.put("gc", header.gcs());
        json.put("images_per_s", rate.json());
        json.put("seconds", seconds.json());
        JsonObject split = new JsonObject();
        stages.forEach((k, v) -> split.put(k, v.json()));
        split.put("sum", stageSum.json());
        json.put("ms_per_image_thread_time", split);
        JsonObject detail = new JsonObject();
        details.forEach((k, v) -> detail.put(k, v.json()));
        json.put("detail_ms_per_image_thread_time", detail);
        json.put("runs_images_per_s", runs.stream().map(r -> Spread.round3(r.imagesPerSecond())).toList());
        json.put("at", Instant.now().toString());
        return json;
    }

    private static void printResult(Options o, Run last, Spread rate, Spread seconds, Map<String, Spread> stages,
            Map<String, Spread> details, Spread stageSum) {
        System.out.println();
        System.out.printf(Locale.ROOT, "== Result over %d runs (median [min .. max]), %d files per run%n", o.reps, last.files());
        System.out.printf(Locale.ROOT, "throughput:  %s images/s (wall clock, %d threads)%n", rate.format("%.1f"), o.threads);
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
                o.threads, o.threads, o.threads * 1000.0 / rate.median());
        System.out.println("store in detail (timed around the stores by the benchmark, ms per image, summed over threads):");
        System.out.printf(Locale.ROOT, "  %-16s %s ms  (BlobStore.put of original + thumbnail, each forced to disk;"
                + " import threads)%n", "blob files", details.get("store_blob_files").format("%6.3f"));
        System.out.printf(Locale.ROOT, "  %-16s %s ms  (ImageStore add/addSource/clearRejection; committing thread)%n",
                "database rows", details.get("store_db_rows").format("%6.3f"));
        System.out.printf(Locale.ROOT, "  %-16s %s ms  (ImageStore.find before decoding; in no stage above)%n",
                "duplicate lookup", details.get("lookup").format("%6.3f"));
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

    private static String stageLine(double[] ms) {
        StringBuilder line = new StringBuilder();
        for (int s = 0; s < STAGES.length; s++) {
            line.append(String.format(Locale.ROOT, "%s %.3f  ", STAGES[s], ms[s]));
        }
        return line.toString().strip();
    }
}
