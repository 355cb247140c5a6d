package dev.fovea.app.server;

import dev.fovea.app.settings.Settings;
import dev.fovea.app.settings.SettingsLoader;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.account.Role;
import dev.fovea.core.account.Scope;
import dev.fovea.store.Storage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** A real Fovea server on a free port over a fresh H2 workspace, with an admin and a reviewer, for tests. */
final class TestServer implements AutoCloseable {
    final Storage storage;
    final ServerContext context;
    final FoveaServer server;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    final AccountService.NewUser admin;
    final AccountService.NewUser reviewer;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestServer(Path dir, Map<String, String> settings) {
        Map<String, String> flags = new HashMap<>(settings);
        flags.put("workspace", dir.resolve("ws").toString());
        // One DJL cache for all tests, so libtorch is unpacked once per machine, not once per test folder.
        flags.putIfAbsent("cache", Path.of(System.getProperty("java.io.tmpdir"), "fovea-test-cache").toString());
        Settings s = SettingsLoader.load(flags, Map.of(), dir, dir);
        storage = Storage.embedded(s.workspace(), clock);
        // Fast hashing in tests; the production settings are tested in Argon2PasswordHasherTest.
        AccountService accounts = new AccountService(storage.accounts(), new Argon2PasswordHasher(1024, 1), clock,
                s.server().sessionIdle());
        context = dev.fovea.app.wiring.Services.of(s, storage, accounts, clock).server();
        admin = accounts.addUser("boss", Role.ADMIN);
        reviewer = accounts.addUser("helper", Role.REVIEWER);
        server = FoveaServer.start(context, "127.0.0.1", 0);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    String token(String user, Scope scope) {
        return context.accounts().createToken(user, scope, null).secret();
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        server.close();
        context.serving().close();
        storage.close();
    }

    /** A clock the test moves forward, for session expiry and rate-limit windows. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }
}
