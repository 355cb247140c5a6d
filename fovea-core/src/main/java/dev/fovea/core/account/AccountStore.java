package dev.fovea.core.account;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Users, their password hashes, tokens and browser sessions. */
public interface AccountStore {
    /** Creates a user; {@code FoveaException} with code {@code conflict} when the name is taken. */
    User createUser(String name, Role role, String passwordHash);

    Optional<User> findUser(String name);

    Optional<User> findUser(UUID id);

    List<User> users();

    Optional<String> passwordHash(UUID userId);

    void setPasswordHash(UUID userId, String passwordHash);

    void setDisabled(UUID userId, boolean disabled);

    void setRole(UUID userId, Role role);

    boolean anyAdmin();

    Token createToken(UUID userId, String name, Scope scope, String secretHash);

    /** The token with this secret hash, revoked or not. */
    Optional<Token> findTokenBySecretHash(String secretHash);

    List<Token> tokens();

    /** Marks a token revoked; false when no such token exists or it was revoked already. */
    boolean revokeToken(UUID tokenId, Instant when);

    void markTokenUsed(UUID tokenId, Instant when);

    void createSession(WebSession session);

    Optional<WebSession> findSession(String idHash);

    void touchSession(String idHash, Instant when);

    void deleteSession(String idHash);

    /** Deletes sessions not seen since {@code before}; returns how many. */
    int deleteSessionsIdleSince(Instant before);
}
