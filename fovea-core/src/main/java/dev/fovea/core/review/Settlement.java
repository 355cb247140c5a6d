package dev.fovea.core.review;

import java.time.Instant;

/** An admin's final answer on an image whose reviewers disagreed. */
public record Settlement(String sha256, Decision decision, String className, String byUser, Instant at) {}
