package dev.fovea.bench;

import static dev.fovea.bench.ChecksMath.mix;
import static dev.fovea.bench.ChecksMath.round;
import static dev.fovea.bench.ChecksMath.shuffled;
import static dev.fovea.bench.CopyTransforms.KINDS;
import static dev.fovea.bench.CopyTransforms.SUBSAMPLE_ABOVE_PIXELS;
import static dev.fovea.bench.CopyTransforms.load;
import static dev.fovea.bench.CopyTransforms.read;
import static dev.fovea.bench.CopyTransforms.transform;
import static dev.fovea.bench.ParallelWork.parallel;

import dev.fovea.bench.ChecksMath.IntSummary;
import dev.fovea.bench.CopyTransforms.Transform;
import dev.fovea.bench.support.JsonObject;
import dev.fovea.core.checks.ImageMetrics;
import dev.fovea.core.checks.MetricsCalculator;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Part 2 of the checks benchmark, its data: openclipart bases and transformed copies of known origin. */
final class GroupingDataset {
    record GroupingSettings(Path source, int threads, int reps, int[] sizes, int[] bitsList, double[] similarities,
            long seed, double singletons, int baseSize, int maxBases, Path sheet) {}

    /** One source file after loading: its scaled picture as PNG bytes (dropped after use), and what is kept. */
    record Loaded(byte[] png, String pixelSha, byte[] thumb, double aspect, ImageMetrics metrics, long hash,
            boolean subsampled, String problem) {}

    /** The dataset of the largest size: bases 0..B-1, then each base's copies; per image its base and kind. */
    static final class Dataset {
        final List<Path> baseFiles = new ArrayList<>();
        final List<byte[]> baseThumbs = new ArrayList<>();
        final List<Double> baseAspects = new ArrayList<>();
        int bases;
        int[] baseOf;
        byte[] kind; // -1 base, else Transform ordinal
        long[] hashes;
        ImageMetrics[] metrics;
        int[] copies; // per base

        String id(int i) {
            return kind[i] < 0 ? String.format(Locale.ROOT, "b%05d", i)
                    : String.format(Locale.ROOT, "b%05d-c%06d", baseOf[i], i);
        }
    }

    private final GroupingSettings s;
    private final Dataset d = new Dataset();
    private final List<Loaded> kept = new ArrayList<>();
    private final JsonObject gen = new JsonObject();
    private int copiesTotal;
    private double loadSeconds;
    private int[] start; // per base, the index of its first copy

    private GroupingDataset(GroupingSettings s) {
        this.s = s;
    }

    static Dataset generate(GroupingSettings s, JsonObject out) throws Exception {
        if (!Files.isDirectory(s.source())) {
            throw new IllegalStateException(s.source() + " does not exist; install it with `apt-get install openclipart-png`");
        }
        GroupingDataset g = new GroupingDataset(s);
        g.loadBases();
        g.allocateCopies();
        g.makeCopies();
        g.printDistances();
        out.put("data", g.gen);
        return g.d;
    }

    /** Every source file decoded once; the bases kept are the decodable, not blank, not pixel-identical ones. */
    private void loadBases() throws Exception {
        List<Path> all = PrepareImportData.sourceFiles(s.source());
        List<Path> files = all;
        if (s.maxBases() > 0 && s.maxBases() < all.size()) {
            files = new ArrayList<>();
            for (int k = 0; k < s.maxBases(); k++) files.add(all.get((int) ((long) k * all.size() / s.maxBases())));
        }
        int nFiles = files.size();
        System.out.printf(Locale.ROOT, "bases: %d regular PNG files under %s (of %d), each decoded once, scaled to %d px"
                + " (longest side) on white%n", nFiles, s.source(), all.size(), s.baseSize());
        Loaded[] loaded = new Loaded[nFiles];
        LongAdder decodeNs = new LongAdder(), hashNs = new LongAdder(), measureNs = new LongAdder();
        List<Path> fileList = files;
        double loadSeconds = parallel(s.threads(), nFiles, i -> loaded[i] = load(fileList.get(i), s.baseSize(), decodeNs,
                hashNs, measureNs));
        Set<String> seenPixels = new HashSet<>();
        int undecodable = 0, blank = 0, identical = 0, subsampled = 0;
        for (int i = 0; i < nFiles; i++) {
            Loaded l = loaded[i];
            loaded[i] = null;
            if (l.problem() != null) {
                undecodable++;
                continue;
            }
            if (l.subsampled()) subsampled++;
            if (l.metrics().contrast() < 0.02) {
                blank++;
                continue;
            }
            if (!seenPixels.add(l.pixelSha())) {
                identical++;
                continue;
            }
            kept.add(l);
            d.baseFiles.add(files.get(i));
            d.baseThumbs.add(l.thumb());
            d.baseAspects.add(l.aspect());
        }
        d.bases = kept.size();
        System.out.printf(Locale.ROOT, "       loaded in %.1f s wall (%.0f files/s on %d threads; decode+scale+PNG %.1f ms,"
                        + " pHash %.2f ms, measure %.2f ms per file, thread time); %d subsampled while decoding (over"
                        + " %d MP)%n", loadSeconds, nFiles / loadSeconds, s.threads(), decodeNs.sum() / 1e6 / nFiles,
                hashNs.sum() / 1e6 / nFiles, measureNs.sum() / 1e6 / nFiles, subsampled, SUBSAMPLE_ABOVE_PIXELS / 1_000_000);
        System.out.printf(Locale.ROOT, "       %d bases kept; left out: %d undecodable, %d nearly blank (contrast < 0.02),"
                + " %d pixel-identical to an earlier file%n", d.bases, undecodable, blank, identical);
        gen.put("source_files", nFiles);
        gen.put("bases", d.bases);
        gen.put("left_out", JsonObject.of("undecodable", undecodable, "nearly_blank", blank, "pixel_identical", identical));
        this.loadSeconds = loadSeconds;
    }

    /** How many copies each base gets: a seeded share are singletons, the others k proportional to a weight. */
    private void allocateCopies() {
        int b = d.bases;
        int largest = s.sizes()[s.sizes().length - 1];
        if (largest <= b || s.sizes()[0] < b) {
            throw new IllegalStateException("every size must be at least the " + b + " bases, and the largest above it: "
                    + Arrays.toString(s.sizes()));
        }
        Random rnd = new Random(s.seed());
        int[] order = shuffled(b, rnd);
        boolean[] single = new boolean[b];
        int nSingle = (int) Math.round(b * s.singletons());
        for (int k = 0; k < nSingle; k++) single[order[k]] = true;
        double[] weight = new double[b];
        double wSum = 0;
        for (int i = 0; i < b; i++) {
            double w = 0.25 + 1.5 * rnd.nextDouble();
            if (!single[i]) {
                weight[i] = w;
                wSum += w;
            }
        }
        copiesTotal = largest - b;
        int[] copies = new int[b];
        double[] frac = new double[b];
        int given = 0;
        for (int i = 0; i < b; i++) {
            double exact = copiesTotal * weight[i] / wSum;
            copies[i] = (int) Math.floor(exact);
            frac[i] = exact - copies[i];
            given += copies[i];
        }
        Integer[] byFrac = new Integer[b];
        for (int i = 0; i < b; i++) byFrac[i] = i;
        Arrays.sort(byFrac, (x, y) -> frac[y] != frac[x] ? Double.compare(frac[y], frac[x]) : Integer.compare(x, y));
        for (int k = 0; given < copiesTotal; k++, given++) copies[byFrac[k % b]]++;
        d.copies = copies;
        layOut(largest);
    }

    /** The arrays of the largest set: bases first, then each base's copies from {@code start[base]}. */
    private void layOut(int n) {
        int b = d.bases;
        start = new int[b + 1];
        start[0] = b;
        for (int i = 0; i < b; i++) start[i + 1] = start[i] + d.copies[i];
        d.baseOf = new int[n];
        d.kind = new byte[n];
        d.hashes = new long[n];
        d.metrics = new ImageMetrics[n];
        for (int i = 0; i < b; i++) {
            d.baseOf[i] = i;
            d.kind[i] = -1;
            d.hashes[i] = kept.get(i).hash();
            d.metrics[i] = kept.get(i).metrics();
        }
        int withCopies = (int) Arrays.stream(d.copies).filter(c -> c > 0).count();
        IntSummary kStats = IntSummary.of(Arrays.stream(d.copies).filter(c -> c > 0).toArray());
        System.out.printf(Locale.ROOT, "largest set: %d images = %d bases (%d singletons, %d with copies) + %d copies;"
                        + " copies per base %s%n", n, b, b - withCopies, withCopies, copiesTotal, kStats);
        gen.put("singletons", b - withCopies);
        gen.put("copies", copiesTotal);
        gen.put("copies_per_base", JsonObject.of("min", kStats.min(), "median", kStats.median(), "max", kStats.max()));
        gen.put("load_seconds", round(loadSeconds));
    }

    /** Every copy made from its base's PNG, hashed and measured as it is made, then dropped. */
    private void makeCopies() {
        LongAdder transformNs = new LongAdder(), copyHashNs = new LongAdder(), copyMeasureNs = new LongAdder();
        AtomicLong mismatch = new AtomicLong();
        long seed = s.seed();
        double genSeconds = parallel(s.threads(), d.bases, i -> {
            if (d.copies[i] == 0) return;
            BufferedImage base = read(kept.get(i).png());
            for (int c = 0; c < d.copies[i]; c++) {
                int idx = start[i] + c;
                Random r = new Random(mix(seed, i, c));
                Transform t = KINDS[r.nextInt(KINDS.length)];
                long t0 = System.nanoTime();
                BufferedImage copy = transform(base, t, r);
                long t1 = System.nanoTime();
                long hash = MetricsCalculator.perceptualHash(copy);
                long t2 = System.nanoTime();
                ImageMetrics m = MetricsCalculator.measure(copy);
                long t3 = System.nanoTime();
                transformNs.add(t1 - t0);
                copyHashNs.add(t2 - t1);
                copyMeasureNs.add(t3 - t2);
                if (m.perceptualHash() != hash) mismatch.incrementAndGet();
                d.baseOf[idx] = i;
                d.kind[idx] = (byte) t.ordinal();
                d.hashes[idx] = hash;
                d.metrics[idx] = m;
            }
        });
        kept.clear();
        double hashPerCopyMs = copyHashNs.sum() / 1e6 / copiesTotal;
        double hashRate = 1000.0 * s.threads() / hashPerCopyMs; // thread time spread over the threads
        System.out.printf(Locale.ROOT, "copies made, hashed and measured in %.1f s wall (%.0f copies/s on %d threads);"
                        + " thread time per copy: transform %.2f ms, perceptualHash %.3f ms, measure %.3f ms (pHash included)%n",
                genSeconds, copiesTotal / genSeconds, s.threads(), transformNs.sum() / 1e6 / copiesTotal, hashPerCopyMs,
                copyMeasureNs.sum() / 1e6 / copiesTotal);
        System.out.printf(Locale.ROOT, "perceptualHash: %.0f images/s on %d threads from its thread time (%d copies of"
                + " about %d px); measure: %.0f images/s%n", hashRate, s.threads(), copiesTotal, s.baseSize(),
                1000.0 * s.threads() / (copyMeasureNs.sum() / 1e6 / copiesTotal));
        if (mismatch.get() > 0) System.out.println("WARNING: measure's hash differs from perceptualHash on " + mismatch + " copies");
        System.out.println("metrics: real, from MetricsCalculator.measure on every base and copy (not neutral values)");
        gen.put("copy_seconds", round(genSeconds));
        gen.put("transform_ms_per_copy", round(transformNs.sum() / 1e6 / copiesTotal));
        gen.put("perceptual_hash_ms_per_copy", round(hashPerCopyMs));
        gen.put("perceptual_hash_images_per_s", round(hashRate));
        gen.put("measure_ms_per_copy", round(copyMeasureNs.sum() / 1e6 / copiesTotal));
        gen.put("metrics", "real (MetricsCalculator.measure)");
    }

    /** How far each kind of copy moves the hash from its base's, and the share within each threshold. */
    private void printDistances() {
        int b = d.bases, n = d.baseOf.length;
        System.out.println("hash distance copy-to-base (bits of 64), per kind of copy, and share within each threshold:");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-11s %7s %6s %4s %4s %4s", "kind", "copies",
                "median", "p90", "p99", "max"));
        for (int bits : s.bitsList()) head.append(String.format(Locale.ROOT, "  <=%-2d  ", bits));
        System.out.println(head);
        JsonObject kindsJson = new JsonObject();
        for (int kIdx = -1; kIdx < KINDS.length; kIdx++) {
            List<Integer> dist = new ArrayList<>();
            for (int i = b; i < n; i++) {
                if (kIdx < 0 || d.kind[i] == kIdx) dist.add(Long.bitCount(d.hashes[i] ^ d.hashes[d.baseOf[i]]));
            }
            int[] v = dist.stream().mapToInt(Integer::intValue).sorted().toArray();
            if (v.length == 0) continue;
            String name = kIdx < 0 ? "all" : KINDS[kIdx].name().toLowerCase(Locale.ROOT);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-11s %7d %6d %4d %4d %4d", name, v.length,
                    v[v.length / 2], v[(int) (0.9 * (v.length - 1))], v[(int) (0.99 * (v.length - 1))], v[v.length - 1]));
            JsonObject kj = new JsonObject();
            kj.put("copies", v.length);
            kj.put("median", v[v.length / 2]);
            kj.put("p90", v[(int) (0.9 * (v.length - 1))]);
            kj.put("max", v[v.length - 1]);
            for (int bits : s.bitsList()) {
                int within = 0;
                for (int x : v) if (x <= bits) within++;
                line.append(String.format(Locale.ROOT, "  %5.1f%%", 100.0 * within / v.length));
                kj.put("within_" + bits, round(1.0 * within / v.length));
            }
            System.out.println(line);
            kindsJson.put(name, kj);
        }
        gen.put("distance_to_base", kindsJson);
    }
}
