package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.core.FoveaException;
import dev.fovea.core.account.AccountStore;
import dev.fovea.core.account.Role;
import dev.fovea.core.account.Scope;
import dev.fovea.core.account.Token;
import dev.fovea.core.account.User;
import dev.fovea.core.account.WebSession;
import dev.fovea.core.blob.Sha256;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AccountStore} must do. Names and secrets are unique per test, so the suite can run again and
 * again against one shared database that other suites write to as well.
 */
public abstract class AccountStoreContract {
    protected abstract AccountStore accounts();

    /**
     * A store on a database of its own that holds no user yet, or null where the implementation cannot make one
     * (a shared server); the tests that need an empty store are then skipped.
     */
    protected AccountStore emptyAccounts() {
        return null;
    }

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    private static String secretHash() {
        return Sha256.hex(UUID.randomUUID().toString().getBytes());
    }

    private User user(Role role) {
        return accounts().createUser(uniqueName(role.word()), role, "hash-" + UUID.randomUUID());
    }

    private static void assertCode(Throwable e, String code) {
        assertThat(e).isInstanceOf(FoveaException.class);
        assertThat(((FoveaException) e).code()).isEqualTo(code);
    }

    // ---- users

    @Test
    void createsAUserAndFindsItByNameAndById() {
        String name = uniqueName("alice");
        User created = accounts().createUser(name, Role.REVIEWER, "argon2-hash");
        assertThat(created.name()).isEqualTo(name);
        assertThat(created.role()).isEqualTo(Role.REVIEWER);
        assertThat(created.disabled()).isFalse();
        assertThat(created.createdAt()).isNotNull();
        assertThat(accounts().findUser(name)).hasValue(created);
        assertThat(accounts().findUser(created.id())).hasValue(created);
        assertThat(accounts().passwordHash(created.id())).hasValue("argon2-hash");
        assertThat(accounts().users()).contains(created);
    }

    @Test
    void missingUsersAreEmpty() {
        assertThat(accounts().findUser(uniqueName("nobody"))).isEmpty();
        assertThat(accounts().findUser(UUID.randomUUID())).isEmpty();
        assertThat(accounts().passwordHash(UUID.randomUUID())).isEmpty();
    }

    @Test
    void aTakenUserNameIsAConflict() {
        String name = uniqueName("taken");
        User first = accounts().createUser(name, Role.ADMIN, "first");
        assertThatThrownBy(() -> accounts().createUser(name, Role.REVIEWER, "second"))
                .satisfies(e -> assertCode(e, "conflict"))
                .hasMessageContaining("user '" + name + "' already exists");
        assertThat(accounts().findUser(name)).hasValue(first);
        assertThat(accounts().passwordHash(first.id())).hasValue("first");
    }

    @Test
    void usersAreListedInCreationOrder() {
        String suffix = UUID.randomUUID().toString();
        // Same length, differing only in the first letter: ties in created_at fall back to the name in any collation.
        User a = accounts().createUser("a-" + suffix, Role.REVIEWER, "h");
        User b = accounts().createUser("b-" + suffix, Role.ADMIN, "h");
        User c = accounts().createUser("c-" + suffix, Role.REVIEWER, "h");
        List<User> users = accounts().users();
        assertThat(users).containsSubsequence(a, b, c);
        assertThat(users).isSortedAccordingTo(Comparator.comparing(User::createdAt));
    }

    @Test
    void passwordHashCanBeReplaced() {
        User u = user(Role.REVIEWER);
        accounts().setPasswordHash(u.id(), "new-hash");
        assertThat(accounts().passwordHash(u.id())).hasValue("new-hash");
        UUID missing = UUID.randomUUID();
        assertThatThrownBy(() -> accounts().setPasswordHash(missing, "x"))
                .satisfies(e -> assertCode(e, "not_found"))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void disabledFlagRoundTrips() {
        User u = user(Role.REVIEWER);
        accounts().setDisabled(u.id(), true);
        assertThat(accounts().findUser(u.id())).hasValueSatisfying(found -> assertThat(found.disabled()).isTrue());
        assertThat(accounts().findUser(u.name())).hasValueSatisfying(found -> assertThat(found.disabled()).isTrue());
        accounts().setDisabled(u.id(), false);
        assertThat(accounts().findUser(u.id())).hasValue(u);
        UUID missing = UUID.randomUUID();
        assertThatThrownBy(() -> accounts().setDisabled(missing, true))
                .satisfies(e -> assertCode(e, "not_found"))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void roleRoundTrips() {
        User u = user(Role.ADMIN);
        accounts().setRole(u.id(), Role.REVIEWER);
        assertThat(accounts().findUser(u.id())).hasValueSatisfying(found -> assertThat(found.role()).isEqualTo(Role.REVIEWER));
        assertThat(accounts().findUser(u.name())).hasValueSatisfying(found -> assertThat(found.role()).isEqualTo(Role.REVIEWER));
        accounts().setRole(u.id(), Role.ADMIN);
        assertThat(accounts().findUser(u.id())).hasValue(u);
        UUID missing = UUID.randomUUID();
        assertThatThrownBy(() -> accounts().setRole(missing, Role.ADMIN))
                .satisfies(e -> assertCode(e, "not_found"))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void anyAdminIsTrueOnceAnAdminExistsEvenADisabledOne() {
        User admin = user(Role.ADMIN);
        assertThat(accounts().anyAdmin()).isTrue();
        // A disabled admin can be enabled again, so it still counts: first-run setup must not reopen.
        accounts().setDisabled(admin.id(), true);
        assertThat(accounts().anyAdmin()).isTrue();
    }

    @Test
    void anEmptyStoreHasNoAdminUntilOneIsCreated() {
        AccountStore empty = emptyAccounts();
        assumeTrue(empty != null, "needs a store on a database of its own");
        assertThat(empty.users()).isEmpty();
        assertThat(empty.anyAdmin()).isFalse();
        empty.createUser(uniqueName("rev"), Role.REVIEWER, "h");
        assertThat(empty.anyAdmin()).isFalse();
        empty.createUser(uniqueName("adm"), Role.ADMIN, "h");
        assertThat(empty.anyAdmin()).isTrue();
    }

    @Test
    void concurrentCreatesOfOneUserNameLetExactlyOneWin() throws Exception {
        String name = uniqueName("race");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String hash = "hash-" + i;
                Callable<Boolean> create = () -> {
                    try {
                        accounts().createUser(name, Role.REVIEWER, hash);
                        return true;
                    } catch (FoveaException e) {
                        assertThat(e.code()).isEqualTo("conflict");
                        return false;
                    }
                };
                results.add(pool.submit(create));
            }
            int winners = 0;
            for (Future<Boolean> r : results) winners += r.get() ? 1 : 0;
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(accounts().users()).filteredOn(u -> u.name().equals(name)).hasSize(1);
    }

    // ---- tokens

    @Test
    void createsATokenAndFindsItBySecretHash() {
        User u = user(Role.ADMIN);
        String secret = secretHash();
        Token token = accounts().createToken(u.id(), "ci-script", Scope.PREDICT, secret);
        assertThat(token.userId()).isEqualTo(u.id());
        assertThat(token.name()).isEqualTo("ci-script");
        assertThat(token.scope()).isEqualTo(Scope.PREDICT);
        assertThat(token.createdAt()).isNotNull();
        assertThat(token.lastUsedAt()).isNull();
        assertThat(token.revoked()).isFalse();
        assertThat(accounts().findTokenBySecretHash(secret)).hasValue(token);
        assertThat(accounts().findTokenBySecretHash(secretHash())).isEmpty();
        assertThat(accounts().tokens()).contains(token);
    }

    @Test
    void tokensAreListedInCreationOrder() {
        User u = user(Role.REVIEWER);
        Token first = accounts().createToken(u.id(), "first", Scope.REVIEW, secretHash());
        Token second = accounts().createToken(u.id(), "second", Scope.REVIEW, secretHash());
        List<Token> tokens = accounts().tokens();
        assertThat(tokens).contains(first, second);
        assertThat(tokens).isSortedAccordingTo(Comparator.comparing(Token::createdAt));
    }

    @Test
    void aTokenOfAnUnknownUserIsNotFound() {
        UUID missing = UUID.randomUUID();
        String secret = secretHash();
        assertThatThrownBy(() -> accounts().createToken(missing, "orphan", Scope.ADMIN, secret))
                .satisfies(e -> assertCode(e, "not_found"))
                .hasMessageContaining(missing.toString());
        assertThat(accounts().findTokenBySecretHash(secret)).isEmpty();
    }

    @Test
    void aSecretHashIsUsedByOneTokenOnly() {
        User u = user(Role.ADMIN);
        String secret = secretHash();
        Token first = accounts().createToken(u.id(), "one", Scope.ADMIN, secret);
        assertThatThrownBy(() -> accounts().createToken(u.id(), "two", Scope.PREDICT, secret))
                .satisfies(e -> assertCode(e, "conflict"));
        assertThat(accounts().findTokenBySecretHash(secret)).hasValue(first);
    }

    @Test
    void revokingATokenWorksOnceAndTheTokenIsStillFound() {
        User u = user(Role.ADMIN);
        String secret = secretHash();
        Token token = accounts().createToken(u.id(), "to-revoke", Scope.ADMIN, secret);
        Instant when = now.plusSeconds(5);
        assertThat(accounts().revokeToken(token.id(), when)).isTrue();
        assertThat(accounts().revokeToken(token.id(), when.plusSeconds(60))).isFalse();
        assertThat(accounts().findTokenBySecretHash(secret)).hasValueSatisfying(found -> {
            assertThat(found.revoked()).isTrue();
            assertThat(found.revokedAt()).isEqualTo(when);
        });
        assertThat(accounts().tokens()).filteredOn(t -> t.id().equals(token.id()))
                .singleElement().extracting(Token::revokedAt).isEqualTo(when);
        assertThat(accounts().revokeToken(UUID.randomUUID(), when)).isFalse();
    }

    @Test
    void markingATokenUsedSetsLastUsedAt() {
        User u = user(Role.REVIEWER);
        String secret = secretHash();
        Token token = accounts().createToken(u.id(), "used", Scope.REVIEW, secret);
        accounts().markTokenUsed(token.id(), now);
        assertThat(accounts().findTokenBySecretHash(secret)).hasValueSatisfying(
                found -> assertThat(found.lastUsedAt()).isEqualTo(now));
        Instant later = now.plus(Duration.ofMinutes(3));
        accounts().markTokenUsed(token.id(), later);
        assertThat(accounts().findTokenBySecretHash(secret)).hasValueSatisfying(found -> {
            assertThat(found.lastUsedAt()).isEqualTo(later);
            assertThat(found.revoked()).isFalse();
        });
        accounts().markTokenUsed(UUID.randomUUID(), later); // an unknown token is no error
    }

    // ---- sessions

    private WebSession session(User u, Instant created, Instant lastSeen) {
        return new WebSession(secretHash(), u.id(), UUID.randomUUID().toString().replace("-", ""), created, lastSeen);
    }

    @Test
    void sessionsAreCreatedFoundTouchedAndDeleted() {
        User u = user(Role.REVIEWER);
        WebSession s = session(u, now, now);
        accounts().createSession(s);
        assertThat(accounts().findSession(s.idHash())).hasValue(s);
        Instant later = now.plusSeconds(90);
        accounts().touchSession(s.idHash(), later);
        assertThat(accounts().findSession(s.idHash())).hasValue(
                new WebSession(s.idHash(), s.userId(), s.csrfToken(), s.createdAt(), later));
        accounts().deleteSession(s.idHash());
        assertThat(accounts().findSession(s.idHash())).isEmpty();
        accounts().deleteSession(s.idHash()); // twice is harmless
        accounts().touchSession(s.idHash(), later); // so is touching a session that is gone
        assertThat(accounts().findSession(s.idHash())).isEmpty();
    }

    @Test
    void aSessionOfAnUnknownUserIsNotFound() {
        User ghost = new User(UUID.randomUUID(), "ghost", Role.REVIEWER, false, now);
        WebSession s = session(ghost, now, now);
        assertThatThrownBy(() -> accounts().createSession(s))
                .satisfies(e -> assertCode(e, "not_found"))
                .hasMessageContaining(ghost.id().toString());
        assertThat(accounts().findSession(s.idHash())).isEmpty();
    }

    @Test
    void deletingIdleSessionsDeletesOnlyTheOldOnes() {
        User u = user(Role.REVIEWER);
        Instant cutoff = now.minus(Duration.ofDays(1));
        WebSession old = session(u, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(2)));
        WebSession touchedRecently = session(u, now.minus(Duration.ofDays(3)), now.minus(Duration.ofHours(1)));
        WebSession fresh = session(u, now, now);
        accounts().createSession(old);
        accounts().createSession(touchedRecently);
        accounts().createSession(fresh);
        // Other suites on a shared database may have left idle sessions of their own: at least ours went.
        assertThat(accounts().deleteSessionsIdleSince(cutoff)).isGreaterThanOrEqualTo(1);
        assertThat(accounts().findSession(old.idHash())).isEmpty();
        assertThat(accounts().findSession(touchedRecently.idHash())).hasValue(touchedRecently);
        assertThat(accounts().findSession(fresh.idHash())).hasValue(fresh);
    }
}
