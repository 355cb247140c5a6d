package dev.fovea.core.review;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reviews and everything around them: per-project settings, reviewers with rates, claims on review slots,
 * gold answers and settlements.
 *
 * <p>Claims make the queue safe with several reviewers (and several server processes): an image needing
 * {@code n} reviews has slots {@code 0..n-1}; a reviewer claims a free slot by inserting a row whose key is
 * (project, image, slot), so two reviewers can never hold one slot, and (project, image, user) is unique too, so
 * one reviewer never holds two slots of one image. A claim expires unless a review fills it.
 */
public interface ReviewStore {
    Optional<ReviewSettings> settings(UUID projectId);

    void saveSettings(UUID projectId, ReviewSettings settings);

    /** Adds the user as a reviewer of the project, or updates their rate. */
    void putReviewer(UUID projectId, ReviewerInfo reviewer);

    List<ReviewerInfo> reviewers(UUID projectId);

    /** Reviewers removed from the project, with the rates their past reviews are paid at ({@code removed} set). */
    List<ReviewerInfo> formerReviewers(UUID projectId);

    void setExcluded(UUID projectId, UUID userId, boolean excluded);

    /**
     * Ends a user's place among the project's reviewers and deletes their unfilled claims (so their images go to
     * others); their reviews stay. False when the user was not a reviewer of the project.
     */
    boolean removeReviewer(UUID projectId, UUID userId);

    /**
     * Tries to claim slot {@code slot} of an image for a user until {@code expiresAt}; false when the slot is held
     * by anyone (an unexpired claim or a filled one) or the user already holds a slot of this image.
     */
    boolean claim(UUID projectId, String sha256, int slot, UUID userId, Instant now, Instant expiresAt);

    /** Deletes unfilled claims that expired before {@code now}; returns how many. */
    int releaseExpired(UUID projectId, Instant now);

    /** Deletes this user's unfilled claims on the project (a reviewer leaving, or a fresh queue). */
    void releaseClaims(UUID projectId, UUID userId);

    /** The images this user holds unfilled, unexpired claims on, in claim order. */
    List<String> claimedBy(UUID projectId, UUID userId, Instant now);

    /**
     * Number of claims (filled or unexpired) per image, for images that have any. The queue uses it to find
     * images with a free slot.
     */
    Map<String, Integer> claimCounts(UUID projectId, Instant now);

    /**
     * Stores a review and, in the same transaction, marks the user's claim on the image as filled (for a SKIP,
     * deletes the claim instead, so that the slot goes to someone else). Returns the stored review: the earlier one
     * when the same user sent the same client id before (a double submit stores nothing new).
     */
    Review addReview(Review review);

    /** Undoes a review: sets undoneAt and deletes its claim so the slot is free again. */
    void undo(UUID reviewId, Instant at);

    /** Every review of the project, undone ones included, in the order they were made. */
    List<Review> reviews(UUID projectId);

    /** This user's reviews of the project, undone ones included, in the order they were made. */
    List<Review> reviewsBy(UUID projectId, UUID userId);

    void putGold(UUID projectId, GoldAnswer gold);

    void removeGold(UUID projectId, String sha256);

    Map<String, GoldAnswer> gold(UUID projectId);

    void settle(UUID projectId, Settlement settlement);

    Map<String, Settlement> settlements(UUID projectId);
}
