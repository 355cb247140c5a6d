package dev.fovea.core.review;

import java.util.UUID;

/**
 * A user who reviews a project, their hourly rate (in cents of {@code currency}), whether their reviews are excluded
 * from labels, and whether they were removed from the project (their past reviews are still paid at this rate).
 */
public record ReviewerInfo(UUID userId, String userName, long hourlyRateCents, String currency, boolean excluded,
        boolean removed) {
    /** A current reviewer. */
    public ReviewerInfo(UUID userId, String userName, long hourlyRateCents, String currency, boolean excluded) {
        this(userId, userName, hourlyRateCents, currency, excluded, false);
    }
}
