package dev.fovea.core.account;

import java.time.Instant;
import java.util.UUID;

/** A person with a login. Disabled users keep their history but cannot log in or use their tokens. */
public record User(UUID id, String name, Role role, boolean disabled, Instant createdAt) {
    /** The widest scope this user's credentials can carry. */
    public Scope maxScope() {
        return role == Role.ADMIN ? Scope.ADMIN : Scope.REVIEW;
    }
}
