package dev.fovea.bench;

import dev.fovea.bench.GroupingDataset.Dataset;
import dev.fovea.bench.GroupingDataset.GroupingSettings;
import dev.fovea.bench.support.BenchOptions;
import dev.fovea.bench.support.JsonObject;
import dev.fovea.bench.support.RunHeader;
import dev.fovea.core.checks.FlagRules;
import dev.fovea.core.checks.MetricsCalculator;
import dev.fovea.core.checks.NearDuplicateIndex;
import dev.fovea.core.image.ImageDecoder;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;

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
    private ChecksBenchmark() {}

    public static void main(String[] args) throws Exception {
        ChecksOptions o = BenchOptions.parse(new ChecksOptions(), args).validated();
        ImageIO.setUseCache(false);
        RunHeader header = RunHeader.ofThisJvm();
        System.out.println("== Fovea checks benchmark");
        System.out.println(header.lines());
        System.out.printf(Locale.ROOT, "threads: %d; repetitions: %d after a warm-up; seed %d%n", o.threads, o.reps, o.seed);
        JsonObject json = new JsonObject();
        json.put("benchmark", "checks");
        header.putInto(json);
        json.put("threads", o.threads);
        json.put("repetitions", o.reps);
        json.put("seed", o.seed);
        if (!o.skipThroughput) json.put("throughput", CheckThroughput.throughput(o.data, o.threads, o.reps));
        if (!o.skipGrouping) {
            json.put("grouping", grouping(new GroupingSettings(o.source, o.threads, o.reps, o.sortedSizes(), o.bitsList(),
                    o.similarities(), o.seed, o.singletons, o.baseSize, o.maxBases, o.sheet)));
        }
        json.put("load_average_end", RunHeader.loadAverage());
        json.put("at", Instant.now().toString());
        System.out.println();
        System.out.println(json);
    }

    /** Part 2: the dataset once, its look-alike bases, then the grouping at each size. */
    static JsonObject grouping(GroupingSettings s) throws Exception {
        JsonObject out = new JsonObject();
        System.out.println();
        System.out.println("== Part 2: near-duplicate grouping on openclipart bases and transformed copies (load average "
                + RunHeader.loadAverage() + ")");
        Dataset d = GroupingDataset.generate(s, out);
        Set<Long> lookalike = Lookalikes.lookalikes(d, s, out);
        JsonObject perSize = new JsonObject();
        for (int size : s.sizes()) perSize.put(Integer.toString(size), GroupingEvaluation.evaluate(d, size, lookalike, s));
        out.put("sizes", perSize);
        return out;
    }
}
