package dev.fovea.bench;

import static dev.fovea.bench.ChecksMath.round;
import static dev.fovea.bench.ChecksMath.round4;
import static dev.fovea.bench.ChecksMath.shuffled;
import static dev.fovea.bench.CopyTransforms.KINDS;
import static dev.fovea.bench.DuplicateGroupings.leaderGroups;
import static dev.fovea.bench.DuplicateGroupings.unionFind;
import static dev.fovea.bench.DuplicateGroupings.withBits;
import static dev.fovea.bench.Lookalikes.pairKey;
import static dev.fovea.bench.Lookalikes.rel;

import dev.fovea.bench.GroupingDataset.Dataset;
import dev.fovea.bench.GroupingDataset.GroupingSettings;
import dev.fovea.bench.support.CpuTime;
import dev.fovea.bench.support.JsonObject;
import dev.fovea.bench.support.RunHeader;
import dev.fovea.bench.support.Spread;
import dev.fovea.core.checks.CheckThresholds;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.checks.FlagRules;
import dev.fovea.core.checks.NearDuplicateIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Part 2 of the checks benchmark, per size: the grouping timed at each bits setting and scored against the truth. */
final class GroupingEvaluation {
    /** Quality of one predicted grouping (labels: each image's group's first image) against the truth. */
    record Quality(double precision, double precisionLenient, double recall, long predictedPairs, long truePairs,
            long lookalikePairs, double imageRecall, int groups, int largestGroup) {}

    /** One dataset, in import order: per position its image, truth (base), hash and the base's position. */
    record Positions(int[] img, int[] truth, long[] hashes, int[] basePos) {}

    /** One bits setting's timings: FlagRules.apply, the index build, forEachPair + union-find (ms, and CPU ms). */
    private record Timing(Spread apply, Spread applyCpu, Spread build, Spread pairs, Spread pairsCpu, long pairCount,
            Map<String, List<Flag>> flags, int[] unionFindLabels) {}

    /** The near_duplicate flags of one run read as groups: each flag names its group's original. */
    private record FlagGroups(int[] pred, int flagged, int toLookalike, int toUnrelated, int farOriginal, int farMedian) {}

    private final Dataset d;
    private final int size;
    private final Set<Long> lookalike;
    private final GroupingSettings s;
    private Positions pos;
    private final List<FlagRules.Measured> images = new ArrayList<>();
    private final Map<String, Integer> posOf = new HashMap<>();
    private int copies, multi, largestTrue;
    private final List<String> qualityLines = new ArrayList<>(), leaderLines = new ArrayList<>();
    private String summary;

    private GroupingEvaluation(Dataset d, int size, Set<Long> lookalike, GroupingSettings s) {
        this.d = d;
        this.size = size;
        this.lookalike = lookalike;
        this.s = s;
    }

    static JsonObject evaluate(Dataset d, int size, Set<Long> lookalike, GroupingSettings s) {
        GroupingEvaluation e = new GroupingEvaluation(d, size, lookalike, s);
        e.arrange();
        // Warm-up (JIT) at the default bits, not reported.
        FlagRules.apply(e.images, CheckThresholds.DEFAULTS);
        unionFind(new NearDuplicateIndex(e.pos.hashes()), size, CheckThresholds.DEFAULTS.nearDuplicateBits(), new long[1]);
        System.out.println("time, ms, wall median [min .. max] of " + s.reps() + " runs, 1 thread (CPU: the thread's CPU"
                + " time, median):");
        System.out.printf(Locale.ROOT, "  %8s %24s %7s %18s %22s %7s %9s%n", "bits/sim", "FlagRules.apply", "(CPU)",
                "index build", "forEachPair+union-find", "(CPU)", "pairs");
        JsonObject perBits = new JsonObject();
        for (double sim : s.similarities()) {
            for (int bits : s.bitsList()) {
                String key = s.similarities().length > 1 ? bits + "/" + sim : Integer.toString(bits);
                perBits.put(key, e.atBits(bits, sim, key));
            }
        }
        e.printQuality();
        JsonObject out = new JsonObject();
        out.put("images", size);
        out.put("bases", d.bases);
        out.put("bases_with_copies", e.multi);
        out.put("copies", e.copies);
        out.put("largest_true_group", e.largestTrue);
        out.put("by_bits", perBits);
        return out;
    }

    /** Members (every base, plus a seeded sample of the copies) in a seeded shuffled import order. */
    private void arrange() {
        int n = d.baseOf.length, b = d.bases;
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
        pos = new Positions(pos2img, truth, hashes, basePos);
        int present = (int) Arrays.stream(truth).distinct().count();
        int[] bases = new int[b];
        for (int p = 0; p < size; p++) bases[truth[p]]++;
        multi = (int) Arrays.stream(bases).filter(c -> c > 1).count();
        largestTrue = Arrays.stream(bases).max().orElse(0);
        System.out.println();
        System.out.printf(Locale.ROOT, "== %,d images: %d bases (%d with copies in this set, %d singletons) + %d copies,"
                + " in a seeded shuffled order (load average %s)%n", size, b, multi, b - multi, copies, RunHeader.loadAverage());
        if (present != b) throw new IllegalStateException("a base is missing from the set");
    }

    /** One bits setting: timed, its groups scored, the chain-free grouping scored for comparison. */
    private JsonObject atBits(int bits, double similarity, String label) {
        Timing t = time(bits, similarity);
        System.out.printf(Locale.ROOT, "  %8s %24s %7.0f %18s %22s %7.0f %9d%n", label, t.apply().format("%.0f"),
                t.applyCpu().median(), t.build().format("%.0f"), t.pairs().format("%.0f"), t.pairsCpu().median(),
                t.pairCount());
        FlagGroups g = groups(t.flags(), bits);
        int differ = 0;
        for (int p = 0; p < size; p++) if (g.pred()[p] != t.unionFindLabels()[p]) differ++;
        Quality q = quality(g.pred(), pos, lookalike, d);
        qualityLines.add(String.format(Locale.ROOT, "  %8s %8.4f %10.4f %8.4f %8.4f %8d %8d %7d %7d/%-7d %9d (%2d)%s",
                label, q.precision(), q.precisionLenient(), q.recall(), q.imageRecall(), q.groups(), q.largestGroup(),
                g.flagged(), g.toLookalike(), g.toUnrelated(), g.farOriginal(), g.farMedian(),
                differ > 0 ? "  [" + differ + " images grouped otherwise by index + union-find]" : ""));
        // For comparison (not Fovea's code): a grouping without chains.
        long l0 = System.nanoTime();
        int[] leader = leaderGroups(pos.hashes(), bits);
        double leaderMs = (System.nanoTime() - l0) / 1e6;
        Quality lq = quality(leader, pos, lookalike, d);
        leaderLines.add(String.format(Locale.ROOT, "  %8s %8.4f %10.4f %8.4f %8.4f %8d %8d %10.0f", label, lq.precision(),
                lq.precisionLenient(), lq.recall(), lq.imageRecall(), lq.groups(), lq.largestGroup(), leaderMs));
        if (bits == CheckThresholds.DEFAULTS.nearDuplicateBits()
                && similarity == CheckThresholds.DEFAULTS.nearDuplicateSimilarity()) {
            summary = String.format(Locale.ROOT, "summary at %,d images, default near_duplicate_bits %d: FlagRules.apply"
                    + " %.1f s wall (CPU %.1f s), %s a minute on 1 thread; pairwise precision %.4f, recall %.4f;"
                    + " largest group %d of %d images; %d of %d near_duplicate flags name an original of another base",
                    size, bits, t.apply().median() / 1000, t.applyCpu().median() / 1000,
                    t.apply().max() < 60_000 ? "under" : "NOT under", q.precision(), q.recall(), q.largestGroup(), size,
                    g.toLookalike() + g.toUnrelated(), g.flagged());
        }
        JsonObject j = bitsJson(t, q, g, differ);
        j.put("leader_grouping", JsonObject.of("ms", round(leaderMs), "pairwise_precision", round4(lq.precision()),
                "pairwise_precision_lookalikes_right", round4(lq.precisionLenient()), "pairwise_recall",
                round4(lq.recall()), "image_recall", round4(lq.imageRecall()), "largest_group", lq.largestGroup()));
        return j;
    }

    /** --reps runs of FlagRules.apply, then of the index build and forEachPair + union-find, at {@code bits}. */
    private Timing time(int bits, double similarity) {
        CheckThresholds t = withBits(bits, similarity);
        double[] applyMs = new double[s.reps()], buildMs = new double[s.reps()], pairsMs = new double[s.reps()];
        double[] applyCpu = new double[s.reps()], pairsCpu = new double[s.reps()];
        Map<String, List<Flag>> flags = null;
        int[] ufLabels = null;
        long[] pairCount = new long[1];
        for (int r = 0; r < s.reps(); r++) {
            long c0 = CpuTime.threadNanos(), t0 = System.nanoTime();
            flags = FlagRules.apply(images, t);
            applyMs[r] = (System.nanoTime() - t0) / 1e6;
            applyCpu[r] = (CpuTime.threadNanos() - c0) / 1e6;
            long t1 = System.nanoTime();
            NearDuplicateIndex index = new NearDuplicateIndex(pos.hashes());
            long t2 = System.nanoTime(), c2 = CpuTime.threadNanos();
            pairCount[0] = 0;
            ufLabels = unionFind(index, size, bits, pairCount);
            long t3 = System.nanoTime();
            pairsCpu[r] = (CpuTime.threadNanos() - c2) / 1e6;
            buildMs[r] = (t2 - t1) / 1e6;
            pairsMs[r] = (t3 - t2) / 1e6;
        }
        return new Timing(Spread.of(applyMs), Spread.of(applyCpu), Spread.of(buildMs), Spread.of(pairsMs),
                Spread.of(pairsCpu), pairCount[0], flags, ufLabels);
    }

    /** Predicted groups from the flags, and the flags that name a wrong or a too distant original. */
    private FlagGroups groups(Map<String, List<Flag>> flags, int bits) {
        int[] truth = pos.truth();
        long[] hashes = pos.hashes();
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
        int farMedian = farDistances.isEmpty() ? 0 : farDistances.stream().sorted().toList().get(farDistances.size() / 2);
        return new FlagGroups(pred, flagged, toLookalike, toUnrelated, farOriginal, farMedian);
    }

    private static JsonObject bitsJson(Timing t, Quality q, FlagGroups g, int differ) {
        JsonObject j = new JsonObject();
        j.put("flag_rules_apply_ms", t.apply().json());
        j.put("flag_rules_apply_cpu_ms", t.applyCpu().json());
        j.put("index_build_ms", t.build().json());
        j.put("pairs_union_find_cpu_ms", t.pairsCpu().json());
        j.put("pairs_union_find_ms", t.pairs().json());
        j.put("pairs", t.pairCount());
        j.put("pairwise_precision", round4(q.precision()));
        j.put("pairwise_precision_lookalikes_right", round4(q.precisionLenient()));
        j.put("pairwise_recall", round4(q.recall()));
        j.put("predicted_pairs", q.predictedPairs());
        j.put("true_pairs", q.truePairs());
        j.put("lookalike_pairs_grouped", q.lookalikePairs());
        j.put("image_recall", round4(q.imageRecall()));
        j.put("predicted_groups", q.groups());
        j.put("largest_group", q.largestGroup());
        j.put("near_duplicate_flags", g.flagged());
        j.put("flags_naming_lookalike_base", g.toLookalike());
        j.put("flags_naming_unrelated_base", g.toUnrelated());
        j.put("flags_naming_original_beyond_bits", g.farOriginal());
        j.put("differs_from_union_find", differ);
        return j;
    }

    private void printQuality() {
        System.out.println("quality of FlagRules.apply's groups against the truth (largest true group: " + largestTrue
                + " images):");
        System.out.printf(Locale.ROOT, "  %8s %8s %10s %8s %8s %8s %8s %7s %15s %14s%n", "bits/sim", "P", "P(+look)", "R",
                "img R", "groups", "largest", "flags", "wrong: look/unr", "beyond bits");
        qualityLines.forEach(System.out::println);
        System.out.println("for comparison, not Fovea's code: 'leader' grouping without chains (in import order, an image"
                + " joins the nearest earlier original within the bits, else it is an original):");
        System.out.printf(Locale.ROOT, "  %8s %8s %10s %8s %8s %8s %8s %10s%n", "bits", "P", "P(+look)", "R", "img R",
                "groups", "largest", "ms (1 run)");
        leaderLines.forEach(System.out::println);
        System.out.println("  (P/R: pairwise precision/recall: a pair is predicted-same when both images are in one group,"
                + " true-same when they come from one base; P(+look): precision counting pairs of two look-alike bases as"
                + " right; img R: share of copies in the same group as their own base; groups: groups of 2 or more;"
                + " flags: near_duplicate flags; wrong: of them, naming an original from another base that is look-alike /"
                + " unrelated; beyond bits: flags whose named original is farther than the bits (median distance) although"
                + " the flag's text gives the distance to the closest neighbour)");
        if (summary != null) System.out.println(summary);
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

    static long pairs(java.util.Collection<Integer> counts) {
        long s = 0;
        for (int c : counts) s += (long) c * (c - 1) / 2;
        return s;
    }

    static double ratio(long a, long b) {
        return b == 0 ? 1.0 : (double) a / b;
    }
}
