package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.account.AccountStore;
import dev.fovea.core.account.Role;
import dev.fovea.core.account.Scope;
import dev.fovea.core.account.Token;
import dev.fovea.core.account.User;
import dev.fovea.core.account.WebSession;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Users, API tokens and browser sessions in three tables. */
public final class JdbcAccountStore implements AccountStore {
    private static final String USER_COLUMNS = "id, name, role, disabled, created_at";
    private static final String TOKEN_COLUMNS = "id, user_id, name, scope, created_at, last_used_at, revoked_at";
    private static final String SESSION_COLUMNS = "id_hash, user_id, csrf_token, created_at, last_seen_at";

    private final Jdbc jdbc;
    private final Clock clock;

    JdbcAccountStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Both databases keep microseconds; what we return must equal what we read back later. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public User createUser(String name, Role role, String passwordHash) {
        User user = new User(UUID.randomUUID(), name, role, false, now());
        if (!jdbc.insertUnlessPresent(
                "INSERT INTO app_user (id, name, role, password_hash, disabled, created_at, version) VALUES (?, ?, ?, ?, FALSE, ?, 0)",
                user.id(), name, role.word(), passwordHash, user.createdAt())) {
            throw FoveaException.conflict("user '" + name + "' already exists");
        }
        return user;
    }

    @Override
    public Optional<User> findUser(String name) {
        return jdbc.one("SELECT " + USER_COLUMNS + " FROM app_user WHERE name = ?", JdbcAccountStore::user, name);
    }

    @Override
    public Optional<User> findUser(UUID id) {
        return jdbc.one("SELECT " + USER_COLUMNS + " FROM app_user WHERE id = ?", JdbcAccountStore::user, id);
    }

    @Override
    public List<User> users() {
        return jdbc.query("SELECT " + USER_COLUMNS + " FROM app_user ORDER BY created_at, name", JdbcAccountStore::user);
    }

    @Override
    public Optional<String> passwordHash(UUID userId) {
        // A user without a password and no user at all both come back empty.
        return jdbc.one("SELECT password_hash FROM app_user WHERE id = ?", rs -> Optional.ofNullable(rs.getString(1)),
                userId).flatMap(hash -> hash);
    }

    @Override
    public void setPasswordHash(UUID userId, String passwordHash) {
        if (jdbc.update("UPDATE app_user SET password_hash = ?, version = version + 1 WHERE id = ?",
                passwordHash, userId) == 0) {
            throw noSuchUser(userId);
        }
    }

    @Override
    public void setDisabled(UUID userId, boolean disabled) {
        if (jdbc.update("UPDATE app_user SET disabled = ?, version = version + 1 WHERE id = ?", disabled, userId) == 0) {
            throw noSuchUser(userId);
        }
    }

    @Override
    public void setRole(UUID userId, Role role) {
        if (jdbc.update("UPDATE app_user SET role = ?, version = version + 1 WHERE id = ?", role.word(), userId) == 0) {
            throw noSuchUser(userId);
        }
    }

    /** True when an admin user exists, disabled or not (a disabled admin can be enabled again; none cannot). */
    @Override
    public boolean anyAdmin() {
        return jdbc.one("SELECT 1 FROM app_user WHERE role = ? FETCH FIRST 1 ROWS ONLY", rs -> true, Role.ADMIN.word())
                .orElse(false);
    }

    @Override
    public Token createToken(UUID userId, String name, Scope scope, String secretHash) {
        Token token = new Token(UUID.randomUUID(), userId, name, scope, now(), null, null);
        return jdbc.transaction("create token " + name + " of user " + userId, c -> {
            if (Jdbc.query(c, "SELECT 1 FROM app_user WHERE id = ?", rs -> true, userId).isEmpty()) {
                throw noSuchUser(userId);
            }
            try {
                Jdbc.update(c, "INSERT INTO api_token (id, user_id, name, scope, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        token.id(), userId, name, scope.word(), secretHash, token.createdAt());
            } catch (SQLException e) {
                if (SqlErrors.isDuplicateKey(e)) throw FoveaException.conflict("a token with this secret exists already");
                // The user went away between the check and the insert: 23503 on PostgreSQL, 23506 on H2.
                if (SqlErrors.isMissingReference(e)) throw noSuchUser(userId);
                throw e;
            }
            return token;
        });
    }

    @Override
    public Optional<Token> findTokenBySecretHash(String secretHash) {
        return jdbc.one("SELECT " + TOKEN_COLUMNS + " FROM api_token WHERE secret_hash = ?", JdbcAccountStore::token,
                secretHash);
    }

    @Override
    public List<Token> tokens() {
        return jdbc.query("SELECT " + TOKEN_COLUMNS + " FROM api_token ORDER BY created_at, id", JdbcAccountStore::token);
    }

    @Override
    public boolean revokeToken(UUID tokenId, Instant when) {
        return jdbc.update("UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", when, tokenId) > 0;
    }

    /** Does nothing when no such token exists. */
    @Override
    public void markTokenUsed(UUID tokenId, Instant when) {
        jdbc.update("UPDATE api_token SET last_used_at = ? WHERE id = ?", when, tokenId);
    }

    @Override
    public void createSession(WebSession session) {
        jdbc.transaction("create session of user " + session.userId(), c -> {
            try {
                return Jdbc.update(c, "INSERT INTO web_session (" + SESSION_COLUMNS + ") VALUES (?, ?, ?, ?, ?)",
                        session.idHash(), session.userId(), session.csrfToken(), session.createdAt(),
                        session.lastSeenAt());
            } catch (SQLException e) {
                if (SqlErrors.isDuplicateKey(e)) throw FoveaException.conflict("a session with this id exists already");
                if (SqlErrors.isMissingReference(e)) {
                    throw noSuchUser(session.userId());
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<WebSession> findSession(String idHash) {
        return jdbc.one("SELECT " + SESSION_COLUMNS + " FROM web_session WHERE id_hash = ?", JdbcAccountStore::session,
                idHash);
    }

    /** Does nothing when no such session exists (it may just have expired). */
    @Override
    public void touchSession(String idHash, Instant when) {
        jdbc.update("UPDATE web_session SET last_seen_at = ? WHERE id_hash = ?", when, idHash);
    }

    @Override
    public void deleteSession(String idHash) {
        jdbc.update("DELETE FROM web_session WHERE id_hash = ?", idHash);
    }

    @Override
    public int deleteSessionsIdleSince(Instant before) {
        return jdbc.update("DELETE FROM web_session WHERE last_seen_at < ?", before);
    }

    private static FoveaException noSuchUser(UUID id) {
        return FoveaException.notFound("user " + id + " does not exist");
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getObject("id", UUID.class), rs.getString("name"), Role.fromWord(rs.getString("role")),
                rs.getBoolean("disabled"), Jdbc.instant(rs, "created_at"));
    }

    private static Token token(ResultSet rs) throws SQLException {
        return new Token(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class), rs.getString("name"),
                Scope.fromWord(rs.getString("scope")), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "last_used_at"),
                Jdbc.instant(rs, "revoked_at"));
    }

    private static WebSession session(ResultSet rs) throws SQLException {
        return new WebSession(rs.getString("id_hash"), rs.getObject("user_id", UUID.class), rs.getString("csrf_token"),
                Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "last_seen_at"));
    }
}
