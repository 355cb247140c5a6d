package dev.fovea.core.review;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Inter-rater agreement: Cohen's kappa for two raters, Fleiss' kappa for many, and both computed from reviews.
 *
 * <p>Kappa is 1 for perfect agreement, 0 for agreement no better than chance (given how often each rater uses each
 * category) and negative for agreement worse than chance. Where kappa is undefined the methods return
 * {@link Double#NaN}; callers show that as "not enough data", never as a number.
 */
public final class Agreement {
    private Agreement() {}

    /** Cohen's kappa of reviewers {@code a} and {@code b} (a's id string sorts first) over the images both reviewed. */
    public record PairKappa(UUID a, UUID b, int sharedItems, double kappa) {}

    /**
     * Cohen's kappa of two raters, over the items both rated (items only one of them rated are ignored).
     *
     * <p>{@code po} is the share of shared items where the two chose the same category; {@code pe} = the sum over
     * categories of (a's share of that category) x (b's share of that category), both over the shared items;
     * kappa = (po - pe) / (1 - pe).
     *
     * @param a rater a's category for each item id
     * @param b rater b's category for each item id
     * @return kappa, or NaN when the raters share no item, or when the expected agreement pe is 1 (both raters used
     *     one and the same category for every shared item, so chance alone explains the agreement)
     */
    public static double cohensKappa(Map<String, String> a, Map<String, String> b) {
        Map<String, long[]> marginals = new HashMap<>(); // category -> {count by a, count by b}
        long shared = 0;
        long agree = 0;
        for (var e : a.entrySet()) {
            if (!b.containsKey(e.getKey())) continue;
            String ca = e.getValue();
            String cb = b.get(e.getKey());
            shared++;
            if (Objects.equals(ca, cb)) agree++;
            marginals.computeIfAbsent(ca, k -> new long[2])[0]++;
            marginals.computeIfAbsent(cb, k -> new long[2])[1]++;
        }
        if (shared < 1) return Double.NaN;
        // pe = sum(ca * cb) / n^2; compare in integers so that "pe is 1" is exact.
        long chance = 0;
        for (long[] m : marginals.values()) chance += m[0] * m[1];
        long n2 = shared * shared;
        if (chance == n2) return Double.NaN;
        double po = (double) agree / shared;
        double pe = (double) chance / n2;
        return (po - pe) / (1 - pe);
    }

    /**
     * Fleiss' kappa for any number of raters, who may differ in number from item to item.
     *
     * <p>Each element of {@code items} holds, for one item, how many raters chose each category. Items with fewer
     * than 2 ratings are ignored (they say nothing about agreement). For item i with n_i ratings,
     * P_i = (sum_j n_ij^2 - n_i) / (n_i (n_i - 1)), the share of agreeing rater pairs; P̄ is the mean of P_i;
     * p_j = (ratings in category j) / (all ratings), both over the items used; P_e = sum_j p_j^2;
     * kappa = (P̄ - P_e) / (1 - P_e).
     *
     * @return kappa, or NaN when no item has 2 or more ratings, or when P_e is 1 (every rating is in one category)
     * @throws IllegalArgumentException when a count is negative
     */
    public static double fleissKappa(List<Map<String, Integer>> items) {
        Map<String, Long> totals = new HashMap<>();
        long all = 0;
        double sumP = 0;
        int used = 0;
        for (Map<String, Integer> item : items) {
            long n = 0;
            long squares = 0;
            for (var e : item.entrySet()) {
                int c = e.getValue();
                if (c < 0) throw new IllegalArgumentException("count " + c + " for category '" + e.getKey() + "' is negative");
                n += c;
                squares += (long) c * c;
            }
            if (n < 2) continue;
            sumP += (double) (squares - n) / (n * (n - 1));
            used++;
            all += n;
            for (var e : item.entrySet()) {
                if (e.getValue() > 0) totals.merge(e.getKey(), (long) e.getValue(), Long::sum);
            }
        }
        if (used == 0) return Double.NaN;
        long chance = 0;
        for (long t : totals.values()) chance += t * t;
        if (chance == all * all) return Double.NaN;
        double pBar = sumP / used;
        double pe = (double) chance / ((double) all * all);
        return (pBar - pe) / (1 - pe);
    }

    /**
     * Cohen's kappa of every pair of reviewers who both reviewed at least one image, ordered by the id strings of
     * {@code a}, then {@code b} (with {@code a < b}). Undone and SKIP reviews are ignored; the category is
     * {@link Review#category()}. If a reviewer has several counted reviews of one image, the latest counts.
     */
    public static List<PairKappa> pairwise(List<Review> reviews) {
        Map<String, Map<String, String>> byUser = new TreeMap<>(); // user id string -> image -> category
        Map<String, UUID> ids = new HashMap<>();
        for (Review r : latestCounted(reviews)) {
            String user = r.userId().toString();
            ids.put(user, r.userId());
            byUser.computeIfAbsent(user, k -> new HashMap<>()).put(r.sha256(), r.category());
        }
        List<String> users = new ArrayList<>(byUser.keySet());
        List<PairKappa> out = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            Map<String, String> a = byUser.get(users.get(i));
            for (int j = i + 1; j < users.size(); j++) {
                Map<String, String> b = byUser.get(users.get(j));
                int shared = 0;
                for (String sha : a.keySet()) if (b.containsKey(sha)) shared++;
                if (shared == 0) continue;
                out.add(new PairKappa(ids.get(users.get(i)), ids.get(users.get(j)), shared, cohensKappa(a, b)));
            }
        }
        return out;
    }

    /**
     * Fleiss' kappa over all images: for each image, how many of its reviewers chose each category. Same filtering
     * as {@link #pairwise}: undone and SKIP reviews are ignored, one (the latest) review per reviewer and image.
     * Images with fewer than 2 such reviews do not count; NaN as in {@link #fleissKappa}.
     */
    public static double fleiss(List<Review> reviews) {
        Map<String, Map<String, Integer>> byImage = new TreeMap<>();
        for (Review r : latestCounted(reviews)) {
            byImage.computeIfAbsent(r.sha256(), k -> new HashMap<>()).merge(r.category(), 1, Integer::sum);
        }
        return fleissKappa(new ArrayList<>(byImage.values()));
    }

    /** Reviews that are not undone and not SKIP, keeping only the latest one per (user, image). */
    private static List<Review> latestCounted(List<Review> reviews) {
        Map<List<Object>, Review> latest = new HashMap<>();
        reviews.stream()
                .filter(r -> !r.undone() && r.decision() != Decision.SKIP)
                .sorted(Comparator.comparing(Review::createdAt))
                .forEach(r -> latest.put(List.of(r.userId(), r.sha256()), r));
        return new ArrayList<>(latest.values());
    }
}
