package dev.fovea.core.review;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Where each image stands after its reviews: the label its reviewers agreed on, or why there is none yet.
 *
 * <p>The rule, per image:
 * <ol>
 *   <li>Valid reviews are those that are not undone, not SKIP, and not by an excluded reviewer; of several valid
 *       reviews by one reviewer of one image, only the latest counts. A vote is the decision together with the
 *       class (so a class named "unsuitable" is never confused with the UNSUITABLE decision).</li>
 *   <li>An admin's settlement wins: {@link State#SETTLED}, with the settlement's answer. (A settlement whose
 *       decision is SKIP is no answer and is ignored.)</li>
 *   <li>No valid review: {@link State#UNREVIEWED}.</li>
 *   <li>With N = {@link ReviewSettings#agreementNeeded()}: when one vote has at least N reviews and more reviews
 *       than any other vote, that vote decides: {@link State#LABELLED} (a class) or {@link State#UNSUITABLE}.
 *       With N = 1 this means the first valid review decides, and two disagreeing reviews (a tie) do not.</li>
 *   <li>Otherwise, once the image has its needed number of valid reviews, max({@link ReviewSettings#reviewsNeeded},
 *       N), it is a {@link State#DISAGREEMENT} for the admin; before that it is {@link State#PENDING}.</li>
 * </ol>
 * With N = 1 and an image reviewed twice, the first review labels the image and a second review that disagrees
 * turns it into a DISAGREEMENT; one that agrees leaves it LABELLED.
 */
public final class Consensus {
    private Consensus() {}

    public enum State { UNREVIEWED, PENDING, LABELLED, UNSUITABLE, DISAGREEMENT, SETTLED }

    /**
     * An image's outcome.
     *
     * @param state where the image stands
     * @param label the class, exactly when the image has a suitable answer (LABELLED, or SETTLED as suitable)
     * @param suitable true exactly when the image has a suitable answer; false for UNSUITABLE, for SETTLED as not
     *     suitable, and for images without an answer (UNREVIEWED, PENDING, DISAGREEMENT)
     * @param reviews the number of valid reviews (see the class comment), also for settled images
     */
    public record Outcome(String sha256, State state, String label, boolean suitable, int reviews) {
        /** True when the image has a final answer: LABELLED, UNSUITABLE or SETTLED. */
        public boolean decided() {
            return state == State.LABELLED || state == State.UNSUITABLE || state == State.SETTLED;
        }

        /** The answer as a decision (SUITABLE or UNSUITABLE), or null when there is none yet. */
        public Decision decision() {
            if (!decided()) return null;
            return suitable ? Decision.SUITABLE : Decision.UNSUITABLE;
        }
    }

    private record Vote(Decision decision, String className) {}

    /**
     * The outcome of every image in {@code imageIds}, in their order. Reviews and settlements of other images are
     * ignored.
     *
     * @param reviews all reviews of the project, undone ones included, in any order
     * @param excludedReviewers reviewers whose reviews do not count
     * @param settlements the admin's settlements by image
     * @param imageIds the images to report on
     */
    public static Map<String, Outcome> outcomes(List<Review> reviews, Set<UUID> excludedReviewers,
            ReviewSettings settings, Map<String, Settlement> settlements, Collection<String> imageIds) {
        // image -> user -> latest valid review
        Map<String, Map<UUID, Review>> valid = new HashMap<>();
        List<Review> sorted = new ArrayList<>(reviews);
        sorted.sort(Comparator.comparing(Review::createdAt));
        for (Review r : sorted) {
            if (r.undone() || r.decision() == Decision.SKIP || excludedReviewers.contains(r.userId())) continue;
            valid.computeIfAbsent(r.sha256(), k -> new HashMap<>()).put(r.userId(), r);
        }
        Map<String, Outcome> out = new LinkedHashMap<>();
        for (String sha : imageIds) {
            Collection<Review> mine = valid.getOrDefault(sha, Map.of()).values();
            out.put(sha, outcome(sha, mine, settings, settlements.get(sha)));
        }
        return out;
    }

    private static Outcome outcome(String sha, Collection<Review> valid, ReviewSettings settings, Settlement settlement) {
        int n = valid.size();
        if (settlement != null && settlement.decision() != Decision.SKIP) {
            boolean suitable = settlement.decision() == Decision.SUITABLE;
            return new Outcome(sha, State.SETTLED, suitable ? settlement.className() : null, suitable, n);
        }
        if (n == 0) return new Outcome(sha, State.UNREVIEWED, null, false, 0);
        Map<Vote, Integer> votes = new HashMap<>();
        for (Review r : valid) {
            Vote v = new Vote(r.decision(), r.decision() == Decision.SUITABLE ? r.className() : null);
            votes.merge(v, 1, Integer::sum);
        }
        int top = 0;
        Vote leader = null;
        boolean tie = false;
        for (var e : votes.entrySet()) {
            if (e.getValue() > top) {
                top = e.getValue();
                leader = e.getKey();
                tie = false;
            } else if (e.getValue() == top) {
                tie = true;
            }
        }
        int agreementNeeded = settings.agreementNeeded();
        if (top >= agreementNeeded && !tie) {
            return leader.decision() == Decision.SUITABLE
                    ? new Outcome(sha, State.LABELLED, leader.className(), true, n)
                    : new Outcome(sha, State.UNSUITABLE, null, false, n);
        }
        int needed = Math.max(settings.reviewsNeeded(sha), agreementNeeded);
        return new Outcome(sha, n >= needed ? State.DISAGREEMENT : State.PENDING, null, false, n);
    }
}
