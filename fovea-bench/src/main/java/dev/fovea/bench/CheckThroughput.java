package dev.fovea.bench;

import static dev.fovea.bench.ChecksMath.fmt;
import static dev.fovea.bench.ParallelWork.parallel;

import dev.fovea.bench.support.CpuTime;
import dev.fovea.bench.support.JsonObject;
import dev.fovea.bench.support.RunHeader;
import dev.fovea.bench.support.Spread;
import dev.fovea.core.checks.CheckThresholds;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.checks.FlagRules;
import dev.fovea.core.checks.ImageMetrics;
import dev.fovea.core.checks.MetricsCalculator;
import dev.fovea.core.image.ImageDecoder;
import dev.fovea.core.imports.ImportLimits;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/** Part 1 of the checks benchmark: check throughput on the import benchmark's images. */
final class CheckThroughput {
    private final Path data;
    private final int threads, reps;
    private final JsonObject out = new JsonObject();
    private List<Path> files;
    private byte[][] bytes;
    private final ImageDecoder decoder = new ImageDecoder(ImportLimits.DEFAULT_MAX_PIXELS);
    private BufferedImage[] decoded;
    private ImageMetrics[] metrics;
    private long[] hashes;

    private CheckThroughput(Path data, int threads, int reps) {
        this.data = data;
        this.threads = threads;
        this.reps = reps;
    }

    static JsonObject throughput(Path data, int threads, int reps) throws IOException {
        if (!Files.isDirectory(data)) {
            throw new IllegalStateException("data folder " + data + " does not exist; prepare it with PrepareImportData");
        }
        CheckThroughput t = new CheckThroughput(data, threads, reps);
        t.readAndDecode();
        t.timeVariants();
        t.compareHashes();
        t.timeFlagRules();
        Arrays.fill(t.decoded, null);
        return t.out;
    }

    /** Reads every file into memory and decodes it once (the decoded pixels are what measure runs on). */
    private void readAndDecode() throws IOException {
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".jpg") || n.endsWith(".png");
            }).sorted().toList();
        }
        int n = files.size();
        if (n == 0) throw new IllegalStateException("no .jpg/.png files in " + data);
        bytes = new byte[n][];
        long total = 0;
        Map<String, Integer> formats = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            bytes[i] = Files.readAllBytes(files.get(i));
            total += bytes[i].length;
            String name = files.get(i).getFileName().toString();
            formats.merge(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        decoded = new BufferedImage[n];
        metrics = new ImageMetrics[n];
        hashes = new long[n];
        System.out.println();
        System.out.printf(Locale.ROOT, "== Part 1: check throughput on %s: %d files %s, %.1f MB, in memory (load"
                + " average %s)%n", data, n, formats, total / 1e6, RunHeader.loadAverage());
        parallel(threads, n, i -> decoded[i] = decoder.decode(bytes[i]).pixels());
        long pixels = Arrays.stream(decoded).mapToLong(im -> (long) im.getWidth() * im.getHeight()).sum();
        System.out.printf(Locale.ROOT, "decoded sizes: %.0f pixels per image on average (%.0fx%.0f equivalent)%n",
                (double) pixels / n, Math.sqrt((double) pixels / n), Math.sqrt((double) pixels / n));
        out.put("data", data.toString());
        out.put("files", n);
        out.put("data_bytes", total);
    }

    /** measure, decode + measure, decode and perceptualHash: two warm-up passes, then --reps timed ones each. */
    private void timeVariants() {
        int n = bytes.length;
        Map<String, IntConsumer> variants = new LinkedHashMap<>();
        variants.put("measure", i -> metrics[i] = MetricsCalculator.measure(decoded[i]));
        variants.put("decode_measure", i -> metrics[i] = MetricsCalculator.measure(decoder.decode(bytes[i]).pixels()));
        variants.put("decode", i -> decoder.decode(bytes[i]));
        variants.put("perceptual_hash", i -> hashes[i] = MetricsCalculator.perceptualHash(decoded[i]));
        Map<String, String> what = Map.of(
                "measure", "MetricsCalculator.measure on decoded images",
                "decode_measure", "ImageDecoder.decode + measure, from bytes in memory",
                "decode", "ImageDecoder.decode alone (for reference)",
                "perceptual_hash", "MetricsCalculator.perceptualHash alone (inside measure too)");
        JsonObject rates = new JsonObject(), cpuJson = new JsonObject();
        for (var e : variants.entrySet()) {
            double warm = parallel(threads, n, e.getValue());
            warm = Math.max(warm, parallel(threads, n, e.getValue())); // two warm-up passes; the slower is shown
            double[] perSecond = new double[reps], cpuMs = new double[reps];
            for (int r = 0; r < reps; r++) {
                long[] cpu = new long[1];
                perSecond[r] = n / parallel(threads, n, e.getValue(), cpu);
                cpuMs[r] = cpu[0] / 1e6 / n;
            }
            Spread s = Spread.of(perSecond), c = Spread.of(cpuMs);
            System.out.printf(Locale.ROOT, "%-16s %s images/s on %d threads; CPU %.3f ms per image (%.0f images/s per"
                            + " core)  (%s; warm-up >= %.0f/s; runs %s)%n", e.getKey(), s.format("%7.1f"), threads,
                    c.median(), 1000 / c.median(), what.get(e.getKey()), n / warm, fmt(perSecond, "%.1f"));
            rates.put(e.getKey(), s.json());
            cpuJson.put(e.getKey(), c.json());
        }
        out.put("images_per_s", rates);
        out.put("cpu_ms_per_image", cpuJson);
    }

    /** perceptualHash alone must give measure's hash, except for images with no opaque pixel. */
    private void compareHashes() {
        int n = bytes.length;
        int hashMismatch = 0, transparent = 0;
        for (int i = 0; i < n; i++) {
            if (hashes[i] == metrics[i].perceptualHash()) continue;
            if (metrics[i].perceptualHash() == 0 && metrics[i].contrast() == 0) transparent++;
            else hashMismatch++;
        }
        if (transparent > 0) {
            System.out.printf(Locale.ROOT, "note: %d images have no pixel with alpha >= 128, so measure gives them all-zero"
                    + " metrics and hash 0 (perceptualHash alone hashes them on white)%n", transparent);
        }
        if (hashMismatch > 0) System.out.println("WARNING: perceptualHash differs from measure's hash on " + hashMismatch + " images");
        out.put("no_opaque_pixel_images", transparent);

    }

    /** FlagRules.apply on the measured images, one thread: warm-up calls, then --reps runs of 20 calls. */
    private void timeFlagRules() {
        int n = bytes.length;
        List<FlagRules.Measured> measured = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            measured.add(new FlagRules.Measured(PrepareImportData.sha256(bytes[i]), data.relativize(files.get(i)).toString(),
                    metrics[i], List.of()));
        }
        Map<String, List<Flag>> flags = null;
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        int warmCalls = 0;
        while (System.nanoTime() < warmEnd || warmCalls < 20) {
            flags = FlagRules.apply(measured, CheckThresholds.DEFAULTS);
            warmCalls++;
        }
        int perRep = 20;
        double[] ms = new double[reps], applyCpu = new double[reps];
        for (int r = 0; r < reps; r++) {
            long c0 = CpuTime.threadNanos(), t0 = System.nanoTime();
            for (int k = 0; k < perRep; k++) flags = FlagRules.apply(measured, CheckThresholds.DEFAULTS);
            ms[r] = (System.nanoTime() - t0) / 1e6 / perRep;
            applyCpu[r] = (CpuTime.threadNanos() - c0) / 1e6 / perRep;
        }
        Spread applyMs = Spread.of(ms), applyCpuMs = Spread.of(applyCpu);
        Map<String, Integer> byName = new TreeMap<>();
        flags.values().forEach(list -> list.forEach(f -> byName.merge(f.name().word(), 1, Integer::sum)));
        System.out.printf(Locale.ROOT, "FlagRules.apply  %s ms per call on the %d measured images, CPU %.2f ms (1 thread,"
                + " mean of %d calls per run after %d warm-up calls); %d images flagged: %s%n", applyMs.format("%.2f"), n,
                applyCpuMs.median(), perRep, warmCalls, flags.size(), byName);
        out.put("flag_rules_apply_ms", applyMs.json());
        out.put("flag_rules_apply_cpu_ms", applyCpuMs.json());
        out.put("flagged_images", flags.size());
        JsonObject names = new JsonObject();
        byName.forEach(names::put);
        out.put("flags", names);
    }
}
