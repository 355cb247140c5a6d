package dev.fovea.core.account;

/**
 * Who is calling and with what reach: a user through a browser session (scope from the role) or a token (its
 * scope, never beyond the role). {@code tokenId} is null for sessions.
 */
public record Principal(User user, Scope scope, java.util.UUID tokenId, WebSession session) {
    public boolean may(Scope required) {
        return scope.allows(required);
    }

    public boolean viaSession() {
        return session != null;
    }
}
