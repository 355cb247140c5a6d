package dev.fovea.core.review;

import java.util.UUID;

/** A user who reviews a project, their hourly rate (in cents of {@code currency}), and whether their reviews are excluded from labels. */
public record ReviewerInfo(UUID userId, String userName, long hourlyRateCents, String currency, boolean excluded) {}
