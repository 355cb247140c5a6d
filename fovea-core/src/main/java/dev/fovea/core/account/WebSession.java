package dev.fovea.core.account;

import java.time.Instant;
import java.util.UUID;

/** A browser login. Stored by the SHA-256 of its cookie value; {@code csrfToken} guards state-changing requests. */
public record WebSession(String idHash, UUID userId, String csrfToken, Instant createdAt, Instant lastSeenAt) {}
