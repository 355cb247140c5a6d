package dev.fovea.bench;

import dev.fovea.core.checks.CheckThresholds;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.checks.FlagRules;
import dev.fovea.core.checks.ImageMetrics;
import dev.fovea.core.checks.MetricsCalculator;
import dev.fovea.core.checks.NearDuplicateIndex;
import dev.fovea.core.imports.ImageDecoder;
import dev.fovea.core.imports.ImportLimits;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The automatic checks' cost and the near-duplicate grouping's quality, on real colour images.
 *
 * <p><b>Part 1, check throughput</b>: the import benchmark's 1,000 prepared images ({@link PrepareImportData}, about
 * 256 px, 70% JPEG / 30% PNG) are read into memory and, on {@code --threads} threads, decoded with
 * {@link ImageDecoder} (as {@code CheckService} does) and measured with {@link MetricsCalculator#measure}: images/s
 * for measure alone (on images decoded beforehand), decode + measure, decode alone and
 * {@link MetricsCalculator#perceptualHash} alone; one warm-up pass then {@code --reps} measured passes each. Then
 * {@link FlagRules#apply} on the 1,000 measured images with the default thresholds (one thread: it is one call).
 *
 * <p><b>Part 2, near-duplicate grouping</b>: every regular PNG of Debian's {@code openclipart-png} is decoded once
 * (files over 16 megapixels with source subsampling down to about 4 megapixels), scaled so that its longest side is
 * {@code --base-size} px, flattened on white; the bases that fail to decode, that are nearly blank (contrast below
 * 0.02, which {@code FlagRules} never groups by design) or that come out pixel-identical to an earlier base are left
 * out. A seeded share of the bases ({@code --singletons}, 25%) get no copies; the others get k transformed copies
 * each, k proportional to a seeded weight in [0.25, 1.75], so that bases + copies make the largest size exactly.
 * A copy is one of: JPEG re-encode at quality 50-85; resize to 50-90%; crop of 2-5% on each side; brightness shifted
 * by 2-8% of full scale up or down (added to R, G and B, clipped); or two different ones of these in a row. Every
 * copy's ground truth is its base. Smaller sizes take all the bases plus a seeded sample of the largest set's
 * copies. Pixels are never kept: each copy is hashed and measured as it is made and then dropped.
 *
 * <p>Each image gets its real {@link MetricsCalculator#perceptualHash} (timed) and its real
 * {@link MetricsCalculator#measure} (timed, whose hash must be the same), and becomes a {@link FlagRules.Measured}
 * (a synthetic id in place of the SHA-256, its openclipart path). In a seeded shuffled order (the earliest image of
 * a group is its original), the grouping is timed twice: {@link FlagRules#apply} with the thresholds at each
 * {@code --bits} (the whole rule set, as {@code fovea check} runs it), and {@link NearDuplicateIndex} alone (index
 * build, then {@code forEachPair} into a union-find). Quality against the truth: pairwise precision and recall (a
 * pair is predicted-same when both images are in one predicted group, true-same when they come from one base),
 * per-image recall (share of copies in the same predicted group as their base), the largest predicted group, and
 * the near_duplicate flags that name an original of another base, or an original farther than the bits.
 *
 * <p>openclipart holds near-identical pictures in different files (the same drawing in several sizes, decks or
 * colours), so the base pairs within the bits are compared by pixels: "look-alike" when their 32x32 colour
 * thumbnails differ by at most 3% on average and their aspect ratios by at most 5%. Precision is also given counting
 * grouped pairs of two look-alike bases as right, and contact sheets of the closest pairs and of samples of
 * look-alike and other pairs are written (PNG, {@code --sheet} prefix) for checking by eye. For comparison, a
 * grouping without chains (each image joins the nearest earlier original within the bits) is scored too; it is not
 * Fovea's code.
 *
 * <pre>
 * java -Xmx2g -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.ChecksBenchmark \
 *     [--data /tmp/fovea-bench/import-data] [--source /usr/share/openclipart/png] [--threads 2] [--reps 3] \
 *     [--sizes 10000,100000] [--bits 6,8,10,12] [--seed 42] [--singletons 0.25] [--base-size 256] \
 *     [--max-bases N] [--sheet /tmp/fovea-bench/checks-lookalikes] [--skip-throughput] [--skip-grouping]
 * </pre>
 */
public final class ChecksBenchmark {
    /** Copy kinds; {@code COMBO} is two different ones of the first four in a row. */
    enum Transform { JPEG, RESIZE, CROP, BRIGHTNESS, COMBO }

    private static final Transform[] KINDS = Transform.values();
    private static final int THUMB = 32;
    private static final double LOOKALIKE_DIFF = 0.03;
    private static final double LOOKALIKE_ASPECT = 0.05;
    private static final long SUBSAMPLE_ABOVE_PIXELS = 16_000_000L;
    private static final double SUBSAMPLE_TO_PIXELS = 4_000_000.0;

    private ChecksBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path data = PrepareImportData.DEFAULT_OUT, source = PrepareImportData.DEFAULT_SOURCE;
        Path sheet = Path.of("/tmp/fovea-bench/checks-lookalikes");
        int threads = 2, reps = 3, baseSize = 256, maxBases = 0;
        long seed = 42;
        double singletons = 0.25;
        int[] sizes = {10_000, 100_000}, bitsList = {6, 8, 10, 12};
        boolean throughput = true, grouping = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(value(args, ++i));
                case "--source" -> source = Path.of(value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--reps" -> reps = Integer.parseInt(value(args, ++i));
                case "--sizes" -> sizes = ints(value(args, ++i));
                case "--bits" -> bitsList = ints(value(args, ++i));
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                case "--singletons" -> singletons = Double.parseDouble(value(args, ++i));
                case "--base-size" -> baseSize = Integer.parseInt(value(args, ++i));
                case "--max-bases" -> maxBases = Integer.parseInt(value(args, ++i));
                case "--sheet" -> sheet = Path.of(value(args, ++i));
                case "--skip-throughput" -> throughput = false;
                case "--skip-grouping" -> grouping = false;
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (threads < 1 || reps < 1) usage("--threads and --reps must be at least 1");
        if (!(singletons >= 0 && singletons < 1)) usage("--singletons must be in [0, 1)");
        Arrays.sort(sizes);
        ImageIO.setUseCache(false);

        Json json = new Json();
        json.put("benchmark", "checks");
        long maxHeap = Runtime.getRuntime().maxMemory();
        String xmx = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).reduce((a, b) -> b).orElse("(not set)");
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.println("== Fovea checks benchmark");
        System.out.printf(Locale.ROOT, "jvm:     %s (%s, %s)%n", Runtime.version(), System.getProperty("java.vm.name"),
                System.getProperty("java.vendor"));
        System.out.printf(Locale.ROOT, "machine: %d cores (availableProcessors), %s %s%n", cores,
                System.getProperty("os.name"), System.getProperty("os.arch"));
        System.out.printf(Locale.ROOT, "heap:    %s, max heap %d MiB; GC: %s%n", xmx, maxHeap >> 20, gcs);
        System.out.printf(Locale.ROOT, "threads: %d; repetitions: %d after a warm-up; seed %d%n", threads, reps, seed);
        json.put("jvm", Runtime.version().toString());
        json.put("cores", cores);
        json.put("xmx", xmx);
        json.put("max_heap_mib", maxHeap >> 20);
        json.put("threads", threads);
        json.put("repetitions", reps);
        json.put("seed", seed);

        if (throughput) json.put("throughput", throughput(data, threads, reps));
        if (grouping) {
            json.put("grouping", grouping(new GroupingSettings(source, threads, reps, sizes, bitsList, seed, singletons,
                    baseSize, maxBases, sheet)));
        }
        json.put("load_average_end", load());
        json.put("at", java.time.Instant.now().toString());
        System.out.println();
        System.out.println(json);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Part 1: check throughput on the import benchmark's images

    static Json throughput(Path data, int threads, int reps) throws IOException {
        if (!Files.isDirectory(data)) {
            throw new IllegalStateException("data folder " + data + " does not exist; prepare it with PrepareImportData");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".jpg") || n.endsWith(".png");
            }).sorted().toList();
        }
        int n = files.size();
        if (n == 0) throw new IllegalStateException("no .jpg/.png files in " + data);
        byte[][] bytes = new byte[n][];
        long total = 0;
        Map<String, Integer> formats = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            bytes[i] = Files.readAllBytes(files.get(i));
            total += bytes[i].length;
            String name = files.get(i).getFileName().toString();
            formats.merge(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        ImageDecoder decoder = new ImageDecoder(ImportLimits.DEFAULT_MAX_PIXELS);
        BufferedImage[] decoded = new BufferedImage[n];
        ImageMetrics[] metrics = new ImageMetrics[n];
        long[] hashes = new long[n];
        System.out.println();
        System.out.printf(Locale.ROOT, "== Part 1: check throughput on %s: %d files %s, %.1f MB, in memory (load"
                + " average %s)%n", data, n, formats, total / 1e6, load());
        parallel(threads, n, i -> decoded[i] = decoder.decode(bytes[i]).pixels());
        long pixels = Arrays.stream(decoded).mapToLong(im -> (long) im.getWidth() * im.getHeight()).sum();
        System.out.printf(Locale.ROOT, "decoded sizes: %.0f pixels per image on average (%.0fx%.0f equivalent)%n",
                (double) pixels / n, Math.sqrt((double) pixels / n), Math.sqrt((double) pixels / n));

        Json out = new Json();
        out.put("data", data.toString());
        out.put("files", n);
        out.put("data_bytes", total);
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
        Json rates = new Json(), cpuJson = new Json();
        for (var e : variants.entrySet()) {
            double warm = parallel(threads, n, e.getValue());
            warm = Math.max(warm, parallel(threads, n, e.getValue())); // two warm-up passes; the slower is shown
            double[] perSecond = new double[reps], cpuMs = new double[reps];
            for (int r = 0; r < reps; r++) {
                long[] cpu = new long[1];
                perSecond[r] = n / parallel(threads, n, e.getValue(), cpu);
                cpuMs[r] = cpu[0] / 1e6 / n;
            }
            Stat s = Stat.of(perSecond), c = Stat.of(cpuMs);
            System.out.printf(Locale.ROOT, "%-16s %s images/s on %d threads; CPU %.3f ms per image (%.0f images/s per"
                            + " core)  (%s; warm-up >= %.0f/s; runs %s)%n", e.getKey(), s.format("%7.1f"), threads,
                    c.median(), 1000 / c.median(), what.get(e.getKey()), n / warm, fmt(perSecond, "%.1f"));
            rates.put(e.getKey(), s.json());
            cpuJson.put(e.getKey(), c.json());
        }
        out.put("images_per_s", rates);
        out.put("cpu_ms_per_image", cpuJson);
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
            long c0 = cpuNow(), t0 = System.nanoTime();
            for (int k = 0; k < perRep; k++) flags = FlagRules.apply(measured, CheckThresholds.DEFAULTS);
            ms[r] = (System.nanoTime() - t0) / 1e6 / perRep;
            applyCpu[r] = (cpuNow() - c0) / 1e6 / perRep;
        }
        Stat applyMs = Stat.of(ms), applyCpuMs = Stat.of(applyCpu);
        Map<String, Integer> byName = new TreeMap<>();
        flags.values().forEach(list -> list.forEach(f -> byName.merge(f.name().word(), 1, Integer::sum)));
        System.out.printf(Locale.ROOT, "FlagRules.apply  %s ms per call on the %d measured images, CPU %.2f ms (1 thread,"
                + " mean of %d calls per run after %d warm-up calls); %d images flagged: %s%n", applyMs.format("%.2f"), n,
                applyCpuMs.median(), perRep, warmCalls, flags.size(), byName);
        out.put("flag_rules_apply_ms", applyMs.json());
        out.put("flag_rules_apply_cpu_ms", applyCpuMs.json());
        out.put("flagged_images", flags.size());
        Json names = new Json();
        byName.forEach(names::put);
        out.put("flags", names);
        Arrays.fill(decoded, null);
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Part 2: near-duplicate grouping

    record GroupingSettings(Path source, int threads, int reps, int[] sizes, int[] bitsList, long seed, double singletons,
            int baseSize, int maxBases, Path sheet) {}

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

    static Json grouping(GroupingSettings s) throws Exception {
        Json out = new Json();
        System.out.println();
        System.out.println("== Part 2: near-duplicate grouping on openclipart bases and transformed copies (load average "
                + load() + ")");
        Dataset d = generate(s, out);
        Set<Long> lookalike = lookalikes(d, s, out);
        Json perSize = new Json();
        for (int size : s.sizes()) perSize.put(Integer.toString(size), evaluate(d, size, lookalike, s));
        out.put("sizes", perSize);
        return out;
    }

    static Dataset generate(GroupingSettings s, Json out) throws Exception {
        if (!Files.isDirectory(s.source())) {
            throw new IllegalStateException(s.source() + " does not exist; install it with `apt-get install openclipart-png`");
        }
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
        Dataset d = new Dataset();
        List<Loaded> kept = new ArrayList<>();
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
        int b = kept.size();
        d.bases = b;
        System.out.printf(Locale.ROOT, "       loaded in %.1f s wall (%.0f files/s on %d threads; decode+scale+PNG %.1f ms,"
                        + " pHash %.2f ms, measure %.2f ms per file, thread time); %d subsampled while decoding (over"
                        + " %d MP)%n", loadSeconds, nFiles / loadSeconds, s.threads(), decodeNs.sum() / 1e6 / nFiles,
                hashNs.sum() / 1e6 / nFiles, measureNs.sum() / 1e6 / nFiles, subsampled, SUBSAMPLE_ABOVE_PIXELS / 1_000_000);
        System.out.printf(Locale.ROOT, "       %d bases kept; left out: %d undecodable, %d nearly blank (contrast < 0.02),"
                + " %d pixel-identical to an earlier file%n", b, undecodable, blank, identical);
        int largest = s.sizes()[s.sizes().length - 1];
        if (largest <= b || s.sizes()[0] < b) {
            throw new IllegalStateException("every size must be at least the " + b + " bases, and the largest above it: "
                    + Arrays.toString(s.sizes()));
        }

        // How many copies each base gets: a seeded share are singletons, the others k proportional to a weight.
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
        int copiesTotal = largest - b;
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
        int[] start = new int[b + 1];
        start[0] = b;
        for (int i = 0; i < b; i++) start[i + 1] = start[i] + copies[i];
        int n = largest;
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
        int withCopies = (int) Arrays.stream(copies).filter(c -> c > 0).count();
        IntSummary kStats = IntSummary.of(Arrays.stream(copies).filter(c -> c > 0).toArray());
        System.out.printf(Locale.ROOT, "largest set: %d images = %d bases (%d singletons, %d with copies) + %d copies;"
                        + " copies per base %s%n", n, b, b - withCopies, withCopies, copiesTotal, kStats);

        LongAdder transformNs = new LongAdder(), copyHashNs = new LongAdder(), copyMeasureNs = new LongAdder();
        AtomicLong mismatch = new AtomicLong();
        long seed = s.seed();
        double genSeconds = parallel(s.threads(), b, i -> {
            if (copies[i] == 0) return;
            BufferedImage base = read(kept.get(i).png());
            for (int c = 0; c < copies[i]; c++) {
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

        // How far each kind of copy moves the hash from its base's.
        System.out.println("hash distance copy-to-base (bits of 64), per kind of copy, and share within each threshold:");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-11s %7s %6s %4s %4s %4s", "kind", "copies",
                "median", "p90", "p99", "max"));
        for (int bits : s.bitsList()) head.append(String.format(Locale.ROOT, "  <=%-2d  ", bits));
        System.out.println(head);
        Json kindsJson = new Json();
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
            Json kj = new Json();
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
        Json gen = new Json();
        gen.put("source_files", nFiles);
        gen.put("bases", b);
        gen.put("left_out", Json.of("undecodable", undecodable, "nearly_blank", blank, "pixel_identical", identical));
        gen.put("singletons", b - withCopies);
        gen.put("copies", copiesTotal);
        gen.put("copies_per_base", Json.of("min", kStats.min, "median", kStats.median, "max", kStats.max));
        gen.put("load_seconds", round(loadSeconds));
        gen.put("copy_seconds", round(genSeconds));
        gen.put("transform_ms_per_copy", round(transformNs.sum() / 1e6 / copiesTotal));
        gen.put("perceptual_hash_ms_per_copy", round(hashPerCopyMs));
        gen.put("perceptual_hash_images_per_s", round(hashRate));
        gen.put("measure_ms_per_copy", round(copyMeasureNs.sum() / 1e6 / copiesTotal));
        gen.put("metrics", "real (MetricsCalculator.measure)");
        gen.put("distance_to_base", kindsJson);
        out.put("data", gen);
        return d;
    }

    static Loaded load(Path file, int size, LongAdder decodeNs, LongAdder hashNs, LongAdder measureNs) {
        long t0 = System.nanoTime();
        BufferedImage image;
        boolean subsampled = false;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) return failed("no reader");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                ImageReadParam param = reader.getDefaultReadParam();
                if (w * h > SUBSAMPLE_ABOVE_PIXELS) { // a 10561x16000 RGBA file would need 676 MB decoded
                    int f = (int) Math.ceil(Math.sqrt(w * h / SUBSAMPLE_TO_PIXELS));
                    param.setSourceSubsampling(f, f, 0, 0);
                    subsampled = true;
                }
                image = reader.read(0, param);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return failed(e.toString());
        }
        if (image == null) return failed("decoded to nothing");
        BufferedImage scaled = PrepareImportData.scale(image, size, false);
        byte[] png = PrepareImportData.png(scaled);
        byte[] thumb = colourThumb(scaled);
        long t1 = System.nanoTime();
        long hash = MetricsCalculator.perceptualHash(scaled);
        long t2 = System.nanoTime();
        ImageMetrics m = MetricsCalculator.measure(scaled);
        long t3 = System.nanoTime();
        decodeNs.add(t1 - t0);
        hashNs.add(t2 - t1);
        measureNs.add(t3 - t2);
        if (m.perceptualHash() != hash) throw new IllegalStateException("measure's hash differs from perceptualHash on " + file);
        return new Loaded(png, PrepareImportData.sha256(png), thumb, (double) scaled.getWidth() / scaled.getHeight(), m,
                hash, subsampled, null);
    }

    private static Loaded failed(String why) {
        return new Loaded(null, null, null, 0, null, 0, false, why);
    }

    static BufferedImage read(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) throw new IllegalStateException("no reader for the bytes");
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One copy of {@code base}; parameters drawn from {@code r}. */
    static BufferedImage transform(BufferedImage base, Transform t, Random r) {
        return switch (t) {
            case JPEG -> read(PrepareImportData.jpeg(base, (float) (0.50 + 0.35 * r.nextDouble())));
            case RESIZE -> {
                double f = 0.5 + 0.4 * r.nextDouble();
                yield resize(base, Math.max(1, (int) Math.round(base.getWidth() * f)),
                        Math.max(1, (int) Math.round(base.getHeight() * f)));
            }
            case CROP -> {
                int w = base.getWidth(), h = base.getHeight();
                int left = (int) Math.round(w * (0.02 + 0.03 * r.nextDouble()));
                int right = (int) Math.round(w * (0.02 + 0.03 * r.nextDouble()));
                int top = (int) Math.round(h * (0.02 + 0.03 * r.nextDouble()));
                int bottom = (int) Math.round(h * (0.02 + 0.03 * r.nextDouble()));
                int cw = Math.max(1, w - left - right), ch = Math.max(1, h - top - bottom);
                BufferedImage out = new BufferedImage(cw, ch, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = out.createGraphics();
                g.drawImage(base, -left, -top, null);
                g.dispose();
                yield out;
            }
            case BRIGHTNESS -> {
                int shift = (int) Math.round(255 * (0.02 + 0.06 * r.nextDouble())) * (r.nextBoolean() ? 1 : -1);
                int w = base.getWidth(), h = base.getHeight();
                int[] rgb = base.getRGB(0, 0, w, h, null, 0, w);
                for (int i = 0; i < rgb.length; i++) {
                    int p = rgb[i];
                    rgb[i] = (clip(((p >> 16) & 0xFF) + shift) << 16) | (clip(((p >> 8) & 0xFF) + shift) << 8)
                            | clip((p & 0xFF) + shift);
                }
                BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                out.setRGB(0, 0, w, h, rgb, 0, w);
                yield out;
            }
            case COMBO -> {
                int first = r.nextInt(4), second = r.nextInt(3);
                if (second >= first) second++;
                yield transform(transform(base, KINDS[first], r), KINDS[second], r);
            }
        };
    }

    private static int clip(int v) {
        return Math.max(0, Math.min(255, v));
    }

    static BufferedImage resize(BufferedImage image, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /**
     * The picture squeezed to 32x32 colour pixels (aspect ratio kept apart; 3 bytes a pixel), by halving steps so that
     * every pixel is an average: to tell files that look the same from files that only hash alike.
     */
    static byte[] colourThumb(BufferedImage image) {
        BufferedImage current = resize(image, THUMB * 8, THUMB * 8);
        for (int size = THUMB * 4; size >= THUMB; size /= 2) current = resize(current, size, size);
        int[] rgb = current.getRGB(0, 0, THUMB, THUMB, null, 0, THUMB);
        byte[] out = new byte[3 * rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[3 * i] = (byte) (rgb[i] >> 16);
            out[3 * i + 1] = (byte) (rgb[i] >> 8);
            out[3 * i + 2] = (byte) rgb[i];
        }
        return out;
    }

    /** Mean absolute difference of two colour thumbnails over all channels, 0..1. */
    static double thumbDiff(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        return sum / 255.0 / a.length;
    }

    /** Pearson correlation of two colour thumbnails' grey levels (1 = the same drawing up to colour and brightness). */
    static double thumbCorr(byte[] a, byte[] b) {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int n = a.length / 3;
        for (int i = 0; i < n; i++) {
            double x = grey(a, i), y = grey(b, i);
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
        }
        double va = saa - sa * sa / n, vb = sbb - sb * sb / n;
        if (va < 1e-6 || vb < 1e-6) return va < 1e-6 && vb < 1e-6 ? 1 : 0; // flat pictures: only alike if both are
        return (sab - sa * sb / n) / Math.sqrt(va * vb);
    }

    private static double grey(byte[] rgb, int i) {
        return 0.299 * (rgb[3 * i] & 0xFF) + 0.587 * (rgb[3 * i + 1] & 0xFF) + 0.114 * (rgb[3 * i + 2] & 0xFF);
    }

    record BasePair(int a, int b, int distance, double diff, double corr, boolean lookalike) {
        String describe(Dataset d, GroupingSettings s) {
            return String.format(Locale.ROOT, "%2d bits, corr %.3f, diff %4.1f%%%s: %s | %s", distance, corr, 100 * diff,
                    lookalike ? ", look-alike" : "", rel(s, d.baseFiles.get(a)), rel(s, d.baseFiles.get(b)));
        }
    }

    /** Key of an unordered base pair. */
    static long pairKey(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }

    /**
     * Distinct bases that look alike: every base pair within the largest bits, with the pixel comparison of their
     * thumbnails. Prints how many there are and writes contact sheets; returns the look-alike pairs' keys.
     */
    static Set<Long> lookalikes(Dataset d, GroupingSettings s, Json out) throws IOException {
        int b = d.bases;
        int maxBits = Arrays.stream(s.bitsList()).max().orElse(10);
        long[] baseHashes = Arrays.copyOf(d.hashes, b);
        List<BasePair> pairs = new ArrayList<>();
        new NearDuplicateIndex(baseHashes).forEachPair(maxBits, (i, j, dist) -> {
            byte[] ta = d.baseThumbs.get(i), tb = d.baseThumbs.get(j);
            double diff = thumbDiff(ta, tb), corr = thumbCorr(ta, tb);
            boolean look = diff <= LOOKALIKE_DIFF
                    && Math.abs(Math.log(d.baseAspects.get(i) / d.baseAspects.get(j))) <= LOOKALIKE_ASPECT;
            pairs.add(new BasePair(i, j, dist, diff, corr, look));
        });
        Set<Long> keys = new HashSet<>();
        for (BasePair p : pairs) if (p.lookalike()) keys.add(pairKey(p.a(), p.b()));
        System.out.println();
        System.out.printf(Locale.ROOT, "distinct bases (different files) whose hashes are close; 'look-alike' = they look"
                + " the same: 32x32 colour thumbnails differ by <= %.0f%% on average and aspect ratios by <= %.0f%% (corr:"
                + " correlation of the thumbnails' grey levels, near 1 for the same drawing recoloured):%n",
                100 * LOOKALIKE_DIFF, 100 * LOOKALIKE_ASPECT);
        Json baseJson = new Json();
        for (int bits : s.bitsList()) {
            long within = pairs.stream().filter(p -> p.distance() <= bits).count();
            long look = pairs.stream().filter(p -> p.distance() <= bits && p.lookalike()).count();
            long involved = pairs.stream().filter(p -> p.distance() <= bits).flatMap(p -> Stream.of(p.a(), p.b()))
                    .distinct().count();
            System.out.printf(Locale.ROOT, "  <= %2d bits: %6d base pairs (%d of the %d bases have one), %6d of the pairs"
                    + " look-alike (%.0f%%)%n", bits, within, involved, b, look, within == 0 ? 0 : 100.0 * look / within);
            baseJson.put(Integer.toString(bits), Json.of("pairs", within, "bases_in_a_pair", involved, "lookalike", look));
        }
        StringBuilder exact = new StringBuilder("  pairs at exactly 0/1/2/3/4 bits (look-alike):");
        for (int bits = 0; bits <= 4; bits++) {
            int fb = bits;
            long within = pairs.stream().filter(p -> p.distance() == fb).count();
            long look = pairs.stream().filter(p -> p.distance() == fb && p.lookalike()).count();
            exact.append(String.format(Locale.ROOT, " %d (%d)", within, look));
        }
        System.out.println(exact);
        Comparator<BasePair> byDistance = Comparator.comparingInt(BasePair::distance).thenComparingInt(BasePair::a)
                .thenComparingInt(BasePair::b);
        List<BasePair> closest = pairs.stream().filter(p -> p.distance() <= 4).sorted(byDistance).toList();
        int defaultBits = CheckThresholds.DEFAULTS.nearDuplicateBits();
        List<BasePair> look = sample(pairs, p -> p.distance() <= defaultBits && p.lookalike(), s.seed());
        List<BasePair> notLook = sample(pairs, p -> p.distance() <= defaultBits && !p.lookalike(), s.seed());
        Map<String, List<BasePair>> sheets = new LinkedHashMap<>();
        sheets.put("closest", closest.subList(0, Math.min(16, closest.size())));
        sheets.put("lookalike", look);
        sheets.put("not-lookalike", notLook);
        Map<String, String> titles = Map.of("closest", "the closest distinct bases (first 16, by distance then file order)",
                "lookalike", "a seeded sample of look-alike base pairs <= " + defaultBits + " bits",
                "not-lookalike", "a seeded sample of base pairs <= " + defaultBits + " bits that are not look-alike");
        for (var e : sheets.entrySet()) {
            String file = "";
            if (s.sheet() != null) file = " [contact sheet " + contactSheet(d, s, e.getValue(), "-" + e.getKey() + ".png") + "]";
            System.out.println("  " + titles.get(e.getKey()) + file + ":");
            for (int k = 0; k < e.getValue().size(); k++) {
                System.out.printf(Locale.ROOT, "   %2d. %s%n", k + 1, e.getValue().get(k).describe(d, s));
            }
        }
        if (s.sheet() != null) System.out.println("  (contact sheets: the pairs side by side, 4 pairs a row, numbered row by row)");
        out.put("base_pairs", baseJson);
        out.put("base_pairs_within_4_bits", closest.size());
        return keys;
    }

    private static List<BasePair> sample(List<BasePair> pairs, java.util.function.Predicate<BasePair> which, long seed) {
        List<BasePair> chosen = new ArrayList<>(pairs.stream().filter(which).toList());
        java.util.Collections.shuffle(chosen, new Random(seed));
        return chosen.subList(0, Math.min(16, chosen.size()));
    }

    private static String rel(GroupingSettings s, Path p) {
        return s.source().relativize(p).toString();
    }

    static Path contactSheet(Dataset d, GroupingSettings s, List<BasePair> pairs, String suffix) throws IOException {
        int cell = 128, gap = 6, perRow = 4;
        int rows = Math.max(1, (pairs.size() + perRow - 1) / perRow);
        BufferedImage sheet = new BufferedImage(perRow * (2 * cell + 3 * gap), rows * (cell + 2 * gap),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(new Color(0x40, 0x40, 0x40));
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        LongAdder ignore = new LongAdder();
        for (int k = 0; k < pairs.size(); k++) {
            int x0 = (k % perRow) * (2 * cell + 3 * gap) + gap, y0 = (k / perRow) * (cell + 2 * gap) + gap;
            int[] which = {pairs.get(k).a(), pairs.get(k).b()};
            for (int side = 0; side < 2; side++) {
                Loaded l = load(d.baseFiles.get(which[side]), cell, ignore, ignore, ignore);
                if (l.png() == null) continue;
                BufferedImage im = read(l.png());
                g.setColor(Color.WHITE);
                g.fillRect(x0 + side * (cell + gap), y0, cell, cell);
                g.drawImage(im, x0 + side * (cell + gap) + (cell - im.getWidth()) / 2, y0 + (cell - im.getHeight()) / 2, null);
            }
        }
        g.dispose();
        Path file = s.sheet().resolveSibling(s.sheet().getFileName() + suffix);
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(sheet, "png", file.toFile());
        return file;
    }

    /** Quality of one predicted grouping (labels: each image's group's first image) against the truth. */
    record Quality(double precision, double precisionLenient, double recall, long predictedPairs, long truePairs,
            long lookalikePairs, double imageRecall, int groups, int largestGroup) {}

    /** One dataset, in import order: per position its image, truth (base), hash and the base's position. */
    record Positions(int[] img, int[] truth, long[] hashes, int[] basePos) {}

    static Json evaluate(Dataset d, int size, Set<Long> lookalike, GroupingSettings s) {
        int n = d.baseOf.length, b = d.bases;
        // Members: every base, plus a seeded sample of the copies (all of them at the largest size).
        int[] members = new int[size];
        for (int i = 0; i < b; i++) members[i] = i;
        int[] copyIdx = new int[n - b];
        for (int i = 0; i < copyIdx.length; i++) copyIdx[i] = b + i;
        Random rnd = new Random(s.seed() * 31 + size);
        for (int k = 0; k < size - b; k++) { // partial Fisher-Yates
            int j = k + rnd.nextInt(copyIdx.length - k);
            int tmp = copyIdx[k];
            copyIdx[k] = copyIdx[j];
            copyIdx[j] = tmp;
            members[b + k] = copyIdx[k];
        }
        int[] order = shuffled(size, rnd); // import order
        int[] pos2img = new int[size];
        for (int p = 0; p < size; p++) pos2img[p] = members[order[p]];
        int[] truth = new int[size], basePos = new int[b];
        long[] hashes = new long[size];
        List<FlagRules.Measured> images = new ArrayList<>(size);
        Map<String, Integer> posOf = new HashMap<>(size * 2);
        int copies = 0;
        for (int p = 0; p < size; p++) {
            int img = pos2img[p];
            truth[p] = d.baseOf[img];
            hashes[p] = d.hashes[img];
            if (d.kind[img] < 0) basePos[img] = p;
            else copies++;
            String id = d.id(img);
            String path = rel(s, d.baseFiles.get(d.baseOf[img]))
                    + (d.kind[img] < 0 ? "" : "#" + KINDS[d.kind[img]].name().toLowerCase(Locale.ROOT) + "-" + img);
            images.add(new FlagRules.Measured(id, path, d.metrics[img], List.of()));
            posOf.put(id, p);
        }
        Positions pos = new Positions(pos2img, truth, hashes, basePos);
        int present = (int) Arrays.stream(truth).distinct().count();
        int[] bases = new int[b];
        for (int p = 0; p < size; p++) bases[truth[p]]++;
        int multi = (int) Arrays.stream(bases).filter(c -> c > 1).count();
        int largestTrue = Arrays.stream(bases).max().orElse(0);
        System.out.println();
        System.out.printf(Locale.ROOT, "== %,d images: %d bases (%d with copies in this set, %d singletons) + %d copies,"
                + " in a seeded shuffled order (load average %s)%n", size, b, multi, b - multi, copies, load());
        if (present != b) throw new IllegalStateException("a base is missing from the set");

        // Warm-up (JIT) at the default bits, not reported.
        FlagRules.apply(images, CheckThresholds.DEFAULTS);
        unionFind(new NearDuplicateIndex(hashes), size, CheckThresholds.DEFAULTS.nearDuplicateBits(), new long[1]);

        System.out.println("time, ms, wall median [min .. max] of " + s.reps() + " runs, 1 thread (CPU: the thread's CPU"
                + " time, median):");
        System.out.printf(Locale.ROOT, "  %4s %24s %7s %18s %22s %7s %9s%n", "bits", "FlagRules.apply", "(CPU)",
                "index build", "forEachPair+union-find", "(CPU)", "pairs");
        Json perBits = new Json();
        List<String> qualityLines = new ArrayList<>(), leaderLines = new ArrayList<>();
        String summary = null;
        for (int bits : s.bitsList()) {
            CheckThresholds t = withBits(bits);
            double[] applyMs = new double[s.reps()], buildMs = new double[s.reps()], pairsMs = new double[s.reps()];
            double[] applyCpu = new double[s.reps()], pairsCpu = new double[s.reps()];
            Map<String, List<Flag>> flags = null;
            int[] ufLabels = null;
            long[] pairCount = new long[1];
            for (int r = 0; r < s.reps(); r++) {
                long c0 = cpuNow(), t0 = System.nanoTime();
                flags = FlagRules.apply(images, t);
                applyMs[r] = (System.nanoTime() - t0) / 1e6;
                applyCpu[r] = (cpuNow() - c0) / 1e6;
                long t1 = System.nanoTime();
                NearDuplicateIndex index = new NearDuplicateIndex(hashes);
                long t2 = System.nanoTime(), c2 = cpuNow();
                pairCount[0] = 0;
                ufLabels = unionFind(index, size, bits, pairCount);
                long t3 = System.nanoTime();
                pairsCpu[r] = (cpuNow() - c2) / 1e6;
                buildMs[r] = (t2 - t1) / 1e6;
                pairsMs[r] = (t3 - t2) / 1e6;
            }
            Stat a = Stat.of(applyMs), bl = Stat.of(buildMs), pu = Stat.of(pairsMs);
            Stat ac = Stat.of(applyCpu), pc = Stat.of(pairsCpu);
            System.out.printf(Locale.ROOT, "  %4d %24s %7.0f %18s %22s %7.0f %9d%n", bits, a.format("%.0f"), ac.median(),
                    bl.format("%.0f"), pu.format("%.0f"), pc.median(), pairCount[0]);

            // Predicted groups from the flags: a near_duplicate flag names its group's original.
            int[] pred = new int[size];
            for (int p = 0; p < size; p++) pred[p] = p;
            int flagged = 0, toLookalike = 0, toUnrelated = 0, farOriginal = 0;
            List<Integer> farDistances = new ArrayList<>();
            for (var e : flags.entrySet()) {
                for (Flag f : e.getValue()) {
                    if (f.name() != Flag.Name.NEAR_DUPLICATE) continue;
                    int p = posOf.get(e.getKey()), root = posOf.get(f.ofSha256());
                    pred[p] = root;
                    flagged++;
                    if (truth[root] != truth[p]) {
                        if (lookalike.contains(pairKey(truth[root], truth[p]))) toLookalike++;
                        else toUnrelated++;
                    }
                    int real = Long.bitCount(hashes[p] ^ hashes[root]);
                    if (real > bits) {
                        farOriginal++;
                        farDistances.add(real);
                    }
                }
            }
            int differ = 0;
            for (int p = 0; p < size; p++) if (pred[p] != ufLabels[p]) differ++;
            Quality q = quality(pred, pos, lookalike, d);
            int farMedian = farDistances.isEmpty() ? 0 : farDistances.stream().sorted().toList().get(farDistances.size() / 2);
            qualityLines.add(String.format(Locale.ROOT, "  %4d %8.4f %10.4f %8.4f %8.4f %8d %8d %7d %7d/%-7d %9d (%2d)%s",
                    bits, q.precision(), q.precisionLenient(), q.recall(), q.imageRecall(), q.groups(), q.largestGroup(),
                    flagged, toLookalike, toUnrelated, farOriginal, farMedian,
                    differ > 0 ? "  [" + differ + " images grouped otherwise by index + union-find]" : ""));

            // For comparison (not Fovea's code): a grouping without chains.
            long l0 = System.nanoTime();
            int[] leader = leaderGroups(hashes, bits);
            double leaderMs = (System.nanoTime() - l0) / 1e6;
            Quality lq = quality(leader, pos, lookalike, d);
            leaderLines.add(String.format(Locale.ROOT, "  %4d %8.4f %10.4f %8.4f %8.4f %8d %8d %10.0f", bits, lq.precision(),
                    lq.precisionLenient(), lq.recall(), lq.imageRecall(), lq.groups(), lq.largestGroup(), leaderMs));

            if (bits == CheckThresholds.DEFAULTS.nearDuplicateBits()) {
                summary = String.format(Locale.ROOT, "summary at %,d images, default near_duplicate_bits %d: FlagRules.apply"
                        + " %.1f s wall (CPU %.1f s), %s a minute on 1 thread; pairwise precision %.4f, recall %.4f;"
                        + " largest group %d of %d images; %d of %d near_duplicate flags name an original of another base",
                        size, bits, a.median() / 1000, ac.median() / 1000, a.max() < 60_000 ? "under" : "NOT under",
                        q.precision(), q.recall(), q.largestGroup(), size, toLookalike + toUnrelated, flagged);
            }
            Json j = new Json();
            j.put("flag_rules_apply_ms", a.json());
            j.put("flag_rules_apply_cpu_ms", ac.json());
            j.put("index_build_ms", bl.json());
            j.put("pairs_union_find_cpu_ms", pc.json());
            j.put("pairs_union_find_ms", pu.json());
            j.put("pairs", pairCount[0]);
            j.put("pairwise_precision", round4(q.precision()));
            j.put("pairwise_precision_lookalikes_right", round4(q.precisionLenient()));
            j.put("pairwise_recall", round4(q.recall()));
            j.put("predicted_pairs", q.predictedPairs());
            j.put("true_pairs", q.truePairs());
            j.put("lookalike_pairs_grouped", q.lookalikePairs());
            j.put("image_recall", round4(q.imageRecall()));
            j.put("predicted_groups", q.groups());
            j.put("largest_group", q.largestGroup());
            j.put("near_duplicate_flags", flagged);
            j.put("flags_naming_lookalike_base", toLookalike);
            j.put("flags_naming_unrelated_base", toUnrelated);
            j.put("flags_naming_original_beyond_bits", farOriginal);
            j.put("differs_from_union_find", differ);
            j.put("leader_grouping", Json.of("ms", round(leaderMs), "pairwise_precision", round4(lq.precision()),
                    "pairwise_precision_lookalikes_right", round4(lq.precisionLenient()), "pairwise_recall",
                    round4(lq.recall()), "image_recall", round4(lq.imageRecall()), "largest_group", lq.largestGroup()));
            perBits.put(Integer.toString(bits), j);
        }
        System.out.println("quality of FlagRules.apply's groups against the truth (largest true group: " + largestTrue
                + " images):");
        System.out.printf(Locale.ROOT, "  %4s %8s %10s %8s %8s %8s %8s %7s %15s %14s%n", "bits", "P", "P(+look)", "R",
                "img R", "groups", "largest", "flags", "wrong: look/unr", "beyond bits");
        qualityLines.forEach(System.out::println);
        System.out.println("for comparison, not Fovea's code: 'leader' grouping without chains (in import order, an image"
                + " joins the nearest earlier original within the bits, else it is an original):");
        System.out.printf(Locale.ROOT, "  %4s %8s %10s %8s %8s %8s %8s %10s%n", "bits", "P", "P(+look)", "R", "img R",
                "groups", "largest", "ms (1 run)");
        leaderLines.forEach(System.out::println);
        System.out.println("  (P/R: pairwise precision/recall: a pair is predicted-same when both images are in one group,"
                + " true-same when they come from one base; P(+look): precision counting pairs of two look-alike bases as"
                + " right; img R: share of copies in the same group as their own base; groups: groups of 2 or more;"
                + " flags: near_duplicate flags; wrong: of them, naming an original from another base that is look-alike /"
                + " unrelated; beyond bits: flags whose named original is farther than the bits (median distance) although"
                + " the flag's text gives the distance to the closest neighbour)");
        if (summary != null) System.out.println(summary);
        Json out = new Json();
        out.put("images", size);
        out.put("bases", b);
        out.put("bases_with_copies", multi);
        out.put("copies", copies);
        out.put("largest_true_group", largestTrue);
        out.put("by_bits", perBits);
        return out;
    }

    static Quality quality(int[] pred, Positions pos, Set<Long> lookalike, Dataset d) {
        int n = pred.length;
        int[] truth = pos.truth();
        // Pair counts from the contingency table (predicted group x base).
        Map<Long, Integer> cells = new HashMap<>();
        Map<Integer, Integer> predSizes = new HashMap<>(), trueSizes = new HashMap<>();
        for (int i = 0; i < n; i++) {
            cells.merge(((long) pred[i] << 32) | truth[i], 1, Integer::sum);
            predSizes.merge(pred[i], 1, Integer::sum);
            trueSizes.merge(truth[i], 1, Integer::sum);
        }
        long both = pairs(cells.values()), predicted = pairs(predSizes.values()), actual = pairs(trueSizes.values());
        // Predicted-same pairs of two look-alike bases: per base, its images per predicted group.
        Map<Integer, Map<Integer, Integer>> byBase = new HashMap<>();
        cells.forEach((k, c) -> byBase.computeIfAbsent((int) (k & 0xFFFFFFFFL), x -> new HashMap<>()).put((int) (k >>> 32), c));
        long look = 0;
        for (long key : lookalike) {
            Map<Integer, Integer> a = byBase.get((int) (key >>> 32)), b = byBase.get((int) (key & 0xFFFFFFFFL));
            if (a == null || b == null) continue;
            for (var e : a.entrySet()) {
                Integer other = b.get(e.getKey());
                if (other != null) look += (long) e.getValue() * other;
            }
        }
        int copies = 0, grouped = 0;
        for (int p = 0; p < n; p++) {
            int img = pos.img()[p];
            if (d.kind[img] < 0) continue;
            copies++;
            if (pred[p] == pred[pos.basePos()[d.baseOf[img]]]) grouped++;
        }
        int groups = (int) predSizes.values().stream().filter(v -> v > 1).count();
        int largest = predSizes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return new Quality(ratio(both, predicted), ratio(both + look, predicted), ratio(both, actual), predicted, actual,
                look, ratio(grouped, copies), groups, largest);
    }

    private static long pairs(java.util.Collection<Integer> counts) {
        long s = 0;
        for (int c : counts) s += (long) c * (c - 1) / 2;
        return s;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 1.0 : (double) a / b;
    }

    /** Groups as FlagRules does (transitively; root = earliest index), from the index's pairs alone. */
    static int[] unionFind(NearDuplicateIndex index, int n, int bits, long[] pairCount) {
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        index.forEachPair(bits, (i, j, dist) -> {
            pairCount[0]++;
            int a = find(parent, i), b = find(parent, j);
            if (a != b) parent[Math.max(a, b)] = Math.min(a, b);
        });
        for (int i = 0; i < n; i++) parent[i] = find(parent, i);
        return parent;
    }

    /**
     * A grouping without chains, for comparison: in index order, each image joins the nearest earlier image that is
     * an original (ties: the earliest) if one is within the bits, else it becomes an original. Every member is then
     * within the bits of its group's original.
     */
    static int[] leaderGroups(long[] hashes, int bits) {
        int n = hashes.length;
        int[] count = new int[n + 1];
        List<int[]> chunks = new ArrayList<>();
        int[][] buf = {new int[1 << 16]};
        int[] fill = {0};
        new NearDuplicateIndex(hashes).forEachPair(bits, (i, j, dist) -> { // i < j
            if (fill[0] == buf[0].length) {
                chunks.add(buf[0]);
                buf[0] = new int[1 << 16];
                fill[0] = 0;
            }
            buf[0][fill[0]++] = i;
            buf[0][fill[0]++] = j;
            count[j + 1]++;
        });
        chunks.add(Arrays.copyOf(buf[0], fill[0]));
        for (int j = 0; j < n; j++) count[j + 1] += count[j];
        int[] earlier = new int[count[n]];
        int[] next = Arrays.copyOf(count, n);
        for (int[] chunk : chunks) {
            for (int k = 0; k < chunk.length; k += 2) earlier[next[chunk[k + 1]]++] = chunk[k];
        }
        int[] label = new int[n];
        for (int j = 0; j < n; j++) {
            int best = -1, bestDist = Integer.MAX_VALUE;
            for (int k = count[j]; k < count[j + 1]; k++) {
                int i = earlier[k];
                if (label[i] != i) continue;
                int dist = Long.bitCount(hashes[i] ^ hashes[j]);
                if (dist < bestDist || (dist == bestDist && i < best)) {
                    best = i;
                    bestDist = dist;
                }
            }
            label[j] = best < 0 ? j : best;
        }
        return label;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    static CheckThresholds withBits(int bits) {
        CheckThresholds t = CheckThresholds.DEFAULTS;
        return new CheckThresholds(t.outlierMads(), t.blurAlways(), t.blurNever(), t.darkAlways(), t.darkNever(),
                t.brightAlways(), t.brightNever(), t.clippedNever(), t.subjectBrightNever(), t.lowContrast(), t.lowEntropy(), t.oddAreaFactor(),
                t.oddAspectFactor(), bits);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers

    /** Runs {@code body(0..n-1)} on {@code threads} threads (work shared by a counter); returns wall seconds. */
    static double parallel(int threads, int n, IntConsumer body) {
        return parallel(threads, n, body, new long[1]);
    }

    /** As above; adds the workers' CPU time (ns) into {@code cpuNanos[0]}. */
    static double parallel(int threads, int n, IntConsumer body, long[] cpuNanos) {
        LongAdder cpu = new LongAdder();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                long c0 = cpuNow();
                try {
                    for (int i = next.getAndIncrement(); i < n && failure.get() == null; i = next.getAndIncrement()) {
                        body.accept(i);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    cpu.add(cpuNow() - c0);
                }
            }, "bench-" + t);
            workers[t].start();
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        cpuNanos[0] += cpu.sum();
        if (failure.get() != null) throw new IllegalStateException("a worker failed: " + failure.get(), failure.get());
        return seconds;
    }

    /** CPU time of the current thread, ns (0 where the JVM cannot tell). */
    static long cpuNow() {
        var bean = ManagementFactory.getThreadMXBean();
        return bean.isCurrentThreadCpuTimeSupported() ? bean.getCurrentThreadCpuTime() : 0;
    }

    static int[] shuffled(int n, Random rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        return a;
    }

    static long mix(long seed, int a, int b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    record IntSummary(int min, int median, int max, double mean) {
        static IntSummary of(int[] v) {
            int[] s = v.clone();
            Arrays.sort(s);
            if (s.length == 0) return new IntSummary(0, 0, 0, 0);
            return new IntSummary(s[0], s[s.length / 2], s[s.length - 1], Arrays.stream(s).average().orElse(0));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "min %d, median %d, mean %.1f, max %d", min, median, mean, max);
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

        Json json() {
            return Json.of("median", round(median), "min", round(min), "max", round(max));
        }
    }

    static String load() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", l);
    }

    private static String fmt(double[] v, String f) {
        return Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, f, x)).collect(Collectors.joining(", "));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt).toArray();
    }

    /** A tiny ordered JSON object writer (strings, numbers, booleans and nested objects). */
    static final class Json {
        private final Map<String, Object> fields = new LinkedHashMap<>();

        static Json of(Object... kv) {
            Json j = new Json();
            for (int i = 0; i < kv.length; i += 2) j.put((String) kv[i], kv[i + 1]);
            return j;
        }

        Json put(String key, Object value) {
            fields.put(key, value);
            return this;
        }

        @Override
        public String toString() {
            return fields.entrySet().stream().map(e -> quote(e.getKey()) + ":" + value(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }

        private static String value(Object v) {
            if (v == null) return "null";
            if (v instanceof Json || v instanceof Number || v instanceof Boolean) return v.toString();
            return quote(v.toString());
        }

        static String quote(String s) {
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
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) usage(args[i - 1] + " needs a value");
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("ChecksBenchmark: " + problem);
        System.err.println("usage: ChecksBenchmark [--data DIR] [--source DIR] [--threads N] [--reps N] [--sizes 10000,100000]"
                + " [--bits 6,8,10,12] [--seed N] [--singletons 0.25] [--base-size PX] [--max-bases N] [--sheet PREFIX]"
                + " [--skip-throughput] [--skip-grouping]");
        System.exit(2);
    }
}
