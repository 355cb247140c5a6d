package dev.fovea.core.account;

import java.time.Instant;
import java.util.UUID;

/** A machine credential of one user, limited to a scope. Only the SHA-256 of its secret is stored. */
public record Token(UUID id, UUID userId, String name, Scope scope, Instant createdAt, Instant lastUsedAt,
        Instant revokedAt) {
    public boolean revoked() {
        return revokedAt != null;
    }
}
