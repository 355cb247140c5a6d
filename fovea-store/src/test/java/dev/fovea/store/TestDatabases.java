package dev.fovea.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The databases the contract suites run against. PostgreSQL comes from {@code FOVEA_TEST_PG_URL}, which
 * {@code ./test} and {@code .ci/run} set after starting a private server; in CI a missing URL is a failure, on a
 * developer's machine the PostgreSQL suites are skipped with a message saying how to run them.
 */
final class TestDatabases {
    private TestDatabases() {}

    static Storage h2Workspace(Path dir) {
        return Storage.embedded(dir, Clock.systemUTC());
    }

    static String postgresUrl() {
        String url = System.getenv("FOVEA_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            if (System.getenv("CI") != null) {
                throw new IllegalStateException("FOVEA_TEST_PG_URL is not set in CI: .ci/run must start PostgreSQL"
                        + " (scripts/pg-test-server.sh start) before the tests");
            }
            assumeTrue(false, "PostgreSQL suites skipped: set FOVEA_TEST_PG_URL (./test does it)");
        }
        return url;
    }

    static Storage postgres(Path blobCache) {
        return Storage.server(postgresUrl(), blobCache, Clock.systemUTC());
    }
}
