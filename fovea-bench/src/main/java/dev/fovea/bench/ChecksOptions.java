package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@link ChecksBenchmark}'s command line. */
@Command(name = "ChecksBenchmark", mixinStandardHelpOptions = true,
        description = "Check throughput and near-duplicate grouping quality on real images (bench/checks.sh).")
final class ChecksOptions {
    @Option(names = "--data", description = "part 1's prepared images (default ${DEFAULT-VALUE})")
    Path data = PrepareImportData.DEFAULT_OUT;

    @Option(names = "--source", description = "part 2's openclipart PNGs (default ${DEFAULT-VALUE})")
    Path source = PrepareImportData.DEFAULT_SOURCE;

    @Option(names = "--threads", description = "default ${DEFAULT-VALUE}")
    int threads = 2;

    @Option(names = "--reps", description = "measured repetitions after a warm-up (default ${DEFAULT-VALUE})")
    int reps = 3;

    @Option(names = "--sizes", split = ",", description = "images per grouping set (default 10000,100000)")
    List<Integer> sizes = List.of(10_000, 100_000);

    @Option(names = "--bits", split = ",", description = "near_duplicate_bits to try (default 6,8,10)")
    List<Integer> bits = List.of(6, 8, 10);

    @Option(names = "--similarity", split = ",", description = "near_duplicate_similarity to try with each --bits"
            + " (default: Fovea's default)")
    List<Double> similarity = List.of(dev.fovea.core.checks.CheckThresholds.DEFAULTS.nearDuplicateSimilarity());

    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed = 42;

    @Option(names = "--singletons", description = "share of bases without copies, in [0, 1) (default ${DEFAULT-VALUE})")
    double singletons = 0.25;

    @Option(names = "--base-size", description = "longest side of a base, px (default ${DEFAULT-VALUE})")
    int baseSize = 256;

    @Option(names = "--max-bases", description = "use at most this many openclipart files, evenly spread (0: all)")
    int maxBases = 0;

    @Option(names = "--sheet", description = "prefix of the contact sheets (default ${DEFAULT-VALUE})")
    Path sheet = Path.of("/tmp/fovea-bench/checks-lookalikes");

    @Option(names = "--skip-throughput", description = "no part 1")
    boolean skipThroughput;

    @Option(names = "--skip-grouping", description = "no part 2")
    boolean skipGrouping;

    /** Checks what picocli cannot; stops with status 2 on a bad value. */
    ChecksOptions validated() {
        BenchOptions.require(threads >= 1 && reps >= 1, this,
                "--threads and --reps must be at least 1, not " + threads + " and " + reps);
        BenchOptions.require(singletons >= 0 && singletons < 1, this, "--singletons must be in [0, 1), not " + singletons);
        return this;
    }

    int[] sortedSizes() {
        int[] s = sizes.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(s);
        return s;
    }

    double[] similarities() {
        return similarity.stream().mapToDouble(Double::doubleValue).toArray();
    }

    int[] bitsList() {
        return bits.stream().mapToInt(Integer::intValue).toArray();
    }
}
