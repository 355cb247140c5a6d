package dev.fovea.bench;

import static dev.fovea.bench.CopyTransforms.load;
import static dev.fovea.bench.CopyTransforms.read;
import static dev.fovea.bench.CopyTransforms.thumbCorr;
import static dev.fovea.bench.CopyTransforms.thumbDiff;

import dev.fovea.bench.GroupingDataset.Dataset;
import dev.fovea.bench.GroupingDataset.GroupingSettings;
import dev.fovea.bench.GroupingDataset.Loaded;
import dev.fovea.bench.support.JsonObject;
import dev.fovea.core.checks.CheckThresholds;
import dev.fovea.core.checks.NearDuplicateIndex;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Distinct openclipart bases whose hashes are close: which of them look alike, with contact sheets. */
final class Lookalikes {
    private Lookalikes() {}

    static final double LOOKALIKE_DIFF = 0.03;
    static final double LOOKALIKE_ASPECT = 0.05;

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
    static Set<Long> lookalikes(Dataset d, GroupingSettings s, JsonObject out) throws IOException {
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
        JsonObject baseJson = new JsonObject();
        for (int bits : s.bitsList()) {
            long within = pairs.stream().filter(p -> p.distance() <= bits).count();
            long look = pairs.stream().filter(p -> p.distance() <= bits && p.lookalike()).count();
            long involved = pairs.stream().filter(p -> p.distance() <= bits).flatMap(p -> Stream.of(p.a(), p.b()))
                    .distinct().count();
            System.out.printf(Locale.ROOT, "  <= %2d bits: %6d base pairs (%d of the %d bases have one), %6d of the pairs"
                    + " look-alike (%.0f%%)%n", bits, within, involved, b, look, within == 0 ? 0 : 100.0 * look / within);
            baseJson.put(Integer.toString(bits), JsonObject.of("pairs", within, "bases_in_a_pair", involved, "lookalike", look));
        }
        StringBuilder exact = new StringBuilder("  pairs at exactly 0/1/2/3/4 bits (look-alike):");
        for (int bits = 0; bits <= 4; bits++) {
            int fb = bits;
            long within = pairs.stream().filter(p -> p.distance() == fb).count();
            long look = pairs.stream().filter(p -> p.distance() == fb && p.lookalike()).count();
            exact.append(String.format(Locale.ROOT, " %d (%d)", within, look));
        }
        System.out.println(exact);
        List<BasePair> closest = printSheets(d, s, pairs);
        out.put("base_pairs", baseJson);
        out.put("base_pairs_within_4_bits", closest.size());
        return keys;
    }

    /** The closest pairs and samples of look-alike and other pairs, listed and (with --sheet) drawn side by side. */
    private static List<BasePair> printSheets(Dataset d, GroupingSettings s, List<BasePair> pairs) throws IOException {
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
        return closest;
    }

    static List<BasePair> sample(List<BasePair> pairs, java.util.function.Predicate<BasePair> which, long seed) {
        List<BasePair> chosen = new ArrayList<>(pairs.stream().filter(which).toList());
        java.util.Collections.shuffle(chosen, new Random(seed));
        return chosen.subList(0, Math.min(16, chosen.size()));
    }

    static String rel(GroupingSettings s, Path p) {
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
}
