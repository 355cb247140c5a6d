package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea user} and {@code fovea token} on a real workspace, with their --json shapes and their errors. */
class AccountCommandsIT {
    @TempDir Path cwd;

    @Test
    void usersAndTokensWithTheirJsonShapes() {
        CliRun added = CliRun.in(cwd, "user", "add", "--admin", "alice", "--json");
        assertThat(added.exitCode()).as(added.stderr()).isZero();
        JsonNode alice = added.json();
        assertThat(alice.get("name").asText()).isEqualTo("alice");
        assertThat(alice.get("role").asText()).isEqualTo("admin");
        assertThat(alice.get("password").asText()).matches("[a-z2-9]{4}(-[a-z2-9]{4}){3}");
        assertThat(CliRun.in(cwd, "user", "add", "bob").stdout()).contains("reviewer 'bob'").contains("one-time password");

        CliRun token = CliRun.in(cwd, "token", "create", "--user", "alice", "--scope", "predict", "--name", "shop", "--json");
        assertThat(token.exitCode()).as(token.stderr()).isZero();
        JsonNode created = token.json();
        assertThat(created.size()).isEqualTo(2);
        String secret = created.get("token").asText();
        assertThat(secret).startsWith("fov_").hasSizeGreaterThan(40);
        assertThat(created.get("id").asText()).hasSize(36);

        CliRun list = CliRun.in(cwd, "token", "list", "--json");
        assertThat(list.stdout()).doesNotContain(secret);
        JsonNode listed = list.json().get("tokens").get(0);
        assertThat(listed.get("user").asText()).isEqualTo("alice");
        assertThat(listed.get("scope").asText()).isEqualTo("predict");
        assertThat(listed.get("name").asText()).isEqualTo("shop");
        assertThat(listed.get("revoked").asBoolean()).isFalse();

        assertThat(CliRun.in(cwd, "token", "revoke", created.get("id").asText()).exitCode()).isZero();
        assertThat(CliRun.in(cwd, "token", "list", "--json").json().get("tokens").get(0).get("revoked").asBoolean()).isTrue();
        CliRun again = CliRun.in(cwd, "token", "revoke", created.get("id").asText());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.stderr()).contains("revoked already");

        JsonNode users = CliRun.in(cwd, "user", "list", "--json").json().get("users");
        assertThat(users).hasSize(2);
        assertThat(CliRun.in(cwd, "user", "disable", "bob").exitCode()).isZero();
        assertThat(CliRun.in(cwd, "user", "list", "--json").json().get("users").get(1).get("disabled").asBoolean()).isTrue();
    }

    @Test
    void badInputNamesTheProblem() {
        CliRun.in(cwd, "user", "add", "carol");
        CliRun dup = CliRun.in(cwd, "user", "add", "carol", "--json");
        assertThat(dup.exitCode()).isEqualTo(2);
        assertThat(dup.json().get("error").get("code").asText()).isEqualTo("conflict");

        CliRun adminTokenForReviewer = CliRun.in(cwd, "token", "create", "--user", "carol", "--scope", "admin");
        assertThat(adminTokenForReviewer.exitCode()).isEqualTo(2);
        assertThat(adminTokenForReviewer.stderr()).contains("'carol' is a reviewer");

        CliRun badScope = CliRun.in(cwd, "token", "create", "--user", "carol", "--scope", "everything");
        assertThat(badScope.exitCode()).isEqualTo(2);
        assertThat(badScope.stderr()).contains("scope 'everything' is not one of admin, review, predict");

        assertThat(CliRun.in(cwd, "token", "create", "--user", "ghost", "--scope", "review").stderr())
                .contains("user 'ghost' does not exist");
        assertThat(CliRun.in(cwd, "token", "revoke", "123").stderr()).contains("'123' is not a UUID");
        assertThat(CliRun.in(cwd, "user", "disable", "ghost").exitCode()).isEqualTo(2);
        assertThat(CliRun.in(cwd, "user", "add", "Not Valid").stderr()).contains("user name 'Not Valid' is not valid");
        CliRun missingOption = CliRun.in(cwd, "token", "create", "--user", "carol");
        assertThat(missingOption.exitCode()).isEqualTo(2);
        assertThat(missingOption.stderr()).contains("--scope");
    }

    /** Finding 12 of issue 15: the CLI follows the same rule as the API, and still recovers with enable. */
    @Test
    void finding12TheCliNeitherDisablesNorDemotesTheLastActiveAdmin() {
        assertThat(CliRun.in(cwd, "user", "add", "--admin", "root").exitCode()).isZero();
        CliRun disable = CliRun.in(cwd, "user", "disable", "root");
        assertThat(disable.exitCode()).isEqualTo(2);
        assertThat(disable.stderr()).contains("user 'root' is the last active admin");
        CliRun badRole = CliRun.in(cwd, "user", "role", "root", "boss");
        assertThat(badRole.exitCode()).isEqualTo(2);
        assertThat(badRole.stderr()).contains("role 'boss' is not one of admin, reviewer");
        CliRun nobody = CliRun.in(cwd, "user", "role", "ghost", "admin");
        assertThat(nobody.exitCode()).isNotZero();
        assertThat(nobody.stderr()).contains("user 'ghost' does not exist");
        CliRun demote = CliRun.in(cwd, "user", "role", "root", "reviewer");
        assertThat(demote.exitCode()).isEqualTo(2);
        assertThat(demote.stderr()).contains("user 'root' is the last active admin");
        assertThat(CliRun.in(cwd, "user", "add", "--admin", "second").exitCode()).isZero();
        assertThat(CliRun.in(cwd, "user", "role", "root", "reviewer").exitCode()).isZero();
        assertThat(CliRun.in(cwd, "user", "disable", "second").exitCode()).isEqualTo(2);
        assertThat(CliRun.in(cwd, "user", "role", "root", "admin").exitCode()).isZero();
        assertThat(CliRun.in(cwd, "user", "disable", "second").exitCode()).isZero();
        JsonNode users = CliRun.in(cwd, "user", "list", "--json").json().get("users");
        assertThat(users.get(0).get("role").asText()).isEqualTo("admin");
        assertThat(users.get(0).get("disabled").asBoolean()).isFalse();
        assertThat(users.get(1).get("disabled").asBoolean()).isTrue();
    }

    @Test
    void demoWithoutServingImportsTheSampleAndIsSafeToRepeat() {
        CliRun first = CliRun.in(cwd, TrainingCommandsIT.ENV, "demo", "--no-serve", "--json", "--epochs", "2");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.json().get("import").get("imported").asInt()).isEqualTo(540);
        assertThat(first.json().get("images_per_class").get("flags").asInt()).isEqualTo(60);
        JsonNode training = first.json().get("training");
        assertThat(training.get("test_images").asInt()).isEqualTo(81); // 15% of 60 per class, 9 classes
        assertThat(training.get("test_accuracy").asDouble()).isBetween(0.0, 1.0);
        CliRun second = CliRun.in(cwd, TrainingCommandsIT.ENV, "demo", "--no-serve", "--epochs", "2");
        assertThat(second.exitCode()).isZero();
        assertThat(second.stdout()).contains("Nothing new").contains("540 images in 9 classes")
                .contains("trained run " + training.get("run").asLong());
        assertThat(second.stdout()).contains("Reusing run " + training.get("run").asLong());
    }
}
