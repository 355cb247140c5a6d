package dev.fovea.core.account;

import dev.fovea.core.FoveaException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Users, passwords, tokens and browser sessions: the rules, over an {@link AccountStore}. */
public final class AccountService {
    private static final Pattern USER_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    public static final String TOKEN_PREFIX = "fov_";

    private final AccountStore store;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final Duration sessionIdle;

    public AccountService(AccountStore store, PasswordHasher hasher, Clock clock, Duration sessionIdle) {
        this.store = store;
        this.hasher = hasher;
        this.clock = clock;
        this.sessionIdle = sessionIdle;
    }

    /** A new user and the one-time password to hand them (printed once, stored only as a hash). */
    public record NewUser(User user, String password) {}

    /** A new token and its secret, shown once. */
    public record NewToken(Token token, String secret) {}

    public NewUser addUser(String name, Role role) {
        checkUserName(name);
        String password = Secrets.password();
        User user = store.createUser(name, role, hasher.hash(password.toCharArray()));
        return new NewUser(user, password);
    }

    /** On a server's first start: an admin when there is none, else empty. */
    public Optional<NewUser> ensureAdmin() {
        if (store.anyAdmin()) return Optional.empty();
        String name = store.findUser("admin").isPresent() ? "admin-" + Secrets.random("", 3).toLowerCase() : "admin";
        return Optional.of(addUser(name.replaceAll("[^a-z0-9._-]", "x"), Role.ADMIN));
    }

    public User requireUser(String name) {
        return store.findUser(name).orElseThrow(() -> FoveaException.notFound("user '" + name + "' does not exist"));
    }

    public List<User> users() {
        return store.users();
    }

    // Synchronized so that two admins disabling each other at once cannot both pass the last-admin check.
    public synchronized void disable(String name) {
        User user = requireUser(name);
        requireAnotherActiveAdmin(user, "disabled");
        store.setDisabled(user.id(), true);
    }

    /** Changes a user's role; their sessions and tokens carry the new role's reach from the next request on. */
    public synchronized User setRole(String name, Role role) {
        User user = requireUser(name);
        if (role != Role.ADMIN) requireAnotherActiveAdmin(user, "made a " + role.word());
        store.setRole(user.id(), role);
        return requireUser(name);
    }

    /** Without an active admin nobody could manage the server through the API; only the CLI could recover it. */
    private void requireAnotherActiveAdmin(User user, String change) {
        if (user.role() != Role.ADMIN || user.disabled()) return;
        boolean another = store.users().stream()
                .anyMatch(u -> u.role() == Role.ADMIN && !u.disabled() && !u.id().equals(user.id()));
        if (!another) {
            throw FoveaException.conflict("user '" + user.name() + "' is the last active admin and cannot be " + change
                    + "; add or enable another admin first (fovea user add NAME --admin)");
        }
    }

    public void enable(String name) {
        store.setDisabled(requireUser(name).id(), false);
    }

    /** Sets a new one-time password for a user and returns it. */
    public String resetPassword(String name) {
        String password = Secrets.password();
        store.setPasswordHash(requireUser(name).id(), hasher.hash(password.toCharArray()));
        return password;
    }

    /** The user when name and password match an enabled account; empty otherwise (the reason is not told). */
    public Optional<User> checkPassword(String name, char[] password) {
        Optional<User> user = name == null ? Optional.empty() : store.findUser(name);
        if (user.isEmpty()) {
            hasher.hash(password); // spend the same time as a real check, so names cannot be probed by timing
            return Optional.empty();
        }
        Optional<String> hash = store.passwordHash(user.get().id());
        boolean ok = hash.isPresent() && hasher.verify(password, hash.get());
        return ok && !user.get().disabled() ? user : Optional.empty();
    }

    public NewToken createToken(String userName, Scope scope, String tokenName) {
        User user = requireUser(userName);
        if (!user.maxScope().allows(scope)) {
            throw FoveaException.invalid("user '" + userName + "' is a " + user.role().word()
                    + " and cannot hold a token of scope '" + scope.word() + "' (allowed: review, predict)");
        }
        if (user.disabled()) throw FoveaException.invalid("user '" + userName + "' is disabled");
        String secret = Secrets.random(TOKEN_PREFIX, 32);
        String name = tokenName == null || tokenName.isBlank() ? scope.word() + " token" : tokenName.strip();
        if (name.length() > 100) throw FoveaException.invalid("token name is longer than 100 characters");
        return new NewToken(store.createToken(user.id(), name, scope, Secrets.hash(secret)), secret);
    }

    public List<Token> tokens() {
        return store.tokens();
    }

    public void revokeToken(UUID tokenId) {
        if (!store.revokeToken(tokenId, clock.instant())) {
            throw FoveaException.notFound("token " + tokenId + " does not exist or is revoked already");
        }
    }

    /** The principal for a bearer secret; empty for an unknown or revoked token or a disabled user. */
    public Optional<Principal> authenticateToken(String secret) {
        if (secret == null || !secret.startsWith(TOKEN_PREFIX)) return Optional.empty();
        Optional<Token> token = store.findTokenBySecretHash(Secrets.hash(secret));
        if (token.isEmpty() || token.get().revoked()) return Optional.empty();
        Optional<User> user = store.findUser(token.get().userId());
        if (user.isEmpty() || user.get().disabled()) return Optional.empty();
        // Record use at most once a minute: a write per request would cost every upload or prediction a commit.
        Instant now = clock.instant();
        if (token.get().lastUsedAt() == null || token.get().lastUsedAt().plusSeconds(60).isBefore(now)) {
            store.markTokenUsed(token.get().id(), now);
        }
        // A token never carries more than its user's role allows today.
        Scope scope = user.get().maxScope().allows(token.get().scope()) ? token.get().scope() : Scope.PREDICT;
        return Optional.of(new Principal(user.get(), scope, token.get().id(), null));
    }

    /** A new browser session: the cookie value (shown to the browser only) and the stored session. */
    public record NewSession(String cookieValue, WebSession session) {}

    public NewSession startSession(User user) {
        String cookie = Secrets.random("", 32);
        Instant now = clock.instant();
        WebSession session = new WebSession(Secrets.hash(cookie), user.id(), Secrets.random("", 24), now, now);
        store.createSession(session);
        return new NewSession(cookie, session);
    }

    /** The principal for a session cookie, if the session exists, was active recently and its user is enabled. */
    public Optional<Principal> authenticateSession(String cookieValue) {
        if (cookieValue == null || cookieValue.isEmpty()) return Optional.empty();
        String idHash = Secrets.hash(cookieValue);
        Optional<WebSession> session = store.findSession(idHash);
        if (session.isEmpty()) return Optional.empty();
        Instant now = clock.instant();
        if (session.get().lastSeenAt().plus(sessionIdle).isBefore(now)) {
            store.deleteSession(idHash);
            return Optional.empty();
        }
        Optional<User> user = store.findUser(session.get().userId());
        if (user.isEmpty() || user.get().disabled()) return Optional.empty();
        // Touch at most once a minute: a page load makes many requests.
        if (session.get().lastSeenAt().plusSeconds(60).isBefore(now)) store.touchSession(idHash, now);
        return Optional.of(new Principal(user.get(), user.get().maxScope(), null, session.get()));
    }

    public void endSession(String cookieValue) {
        if (cookieValue != null) store.deleteSession(Secrets.hash(cookieValue));
    }

    public int purgeIdleSessions() {
        return store.deleteSessionsIdleSince(clock.instant().minus(sessionIdle));
    }

    static void checkUserName(String name) {
        if (name == null || !USER_NAME.matcher(name).matches()) {
            throw FoveaException.invalid("user name '" + name + "' is not valid: use 1 to 64 lowercase letters,"
                    + " digits, dots, dashes and underscores, starting with a letter or digit");
        }
    }
}
