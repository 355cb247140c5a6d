package dev.fovea.app.cli;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.account.Role;
import dev.fovea.core.account.User;
import dev.fovea.core.checks.Curation;
import dev.fovea.core.project.Project;
import dev.fovea.core.review.Decision;
import dev.fovea.core.review.QueueOrder;
import dev.fovea.core.review.ReviewService;
import dev.fovea.core.review.ReviewSettings;
import dev.fovea.store.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea dataset freeze}: which images go in with which label, the stratified split, and versioning. */
class DatasetCommandIT {
    @TempDir Path cwd;

    @Test
    void freezesLabelledImagesHonouringRejectionsAndReviews() throws Exception {
        for (String cls : List.of("flags", "symbols", "activities")) {
            Path dir = Files.createDirectories(cwd.resolve("in/" + cls));
            for (Path png : samplePngs(cls, 20)) Files.copy(png, dir.resolve(png.getFileName()));
        }
        assertThat(CliRun.in(cwd, "import", "in", "--project", "icons", "--create").exitCode()).isZero();
        String rejected, unsuitable, relabelled, disputed;
        try (Storage s = Storage.embedded(cwd.resolve("fovea-data"), Clock.systemUTC())) {
            Project p = s.projects().require("icons");
            List<String> flags = s.images().page(p.id(), 0, 60).stream().filter(i -> "flags".equals(i.label()))
                    .map(i -> i.sha256()).toList();
            rejected = flags.get(0);
            unsuitable = flags.get(1);
            relabelled = flags.get(2);
            disputed = flags.get(3);
            s.curation().setCuration(p.id(), Set.of(rejected), Curation.REJECTED, Clock.systemUTC().instant(), "test");
            ReviewService reviews = new ReviewService(s.images(), s.curation(), s.reviews(), s.accounts(), Clock.systemUTC());
            reviews.saveSettings(p, new ReviewSettings("", Map.of(), 2, 0, QueueOrder.UNREVIEWED_FIRST, 120, 1));
            User a = s.accounts().createUser("ann", Role.REVIEWER, "x"), b = s.accounts().createUser("bob", Role.REVIEWER, "x");
            reviews.addReviewer(p, "ann", 1000, "EUR");
            reviews.addReviewer(p, "bob", 1000, "EUR");
            for (User u : List.of(a, b)) {
                reviews.submit(p, u, unsuitable, Decision.UNSUITABLE, null, 1000, UUID.randomUUID());
                reviews.submit(p, u, relabelled, Decision.SUITABLE, "symbols", 1000, UUID.randomUUID());
            }
            reviews.submit(p, a, disputed, Decision.SUITABLE, "flags", 1000, UUID.randomUUID());
            reviews.submit(p, b, disputed, Decision.UNSUITABLE, null, 1000, UUID.randomUUID());
        }
        CliRun frozen = CliRun.in(cwd, "dataset", "freeze", "--project", "icons", "--validation", "0.2", "--test", "0.2", "--json");
        assertThat(frozen.exitCode()).as(frozen.stderr()).isZero();
        JsonNode doc = frozen.json();
        assertThat(doc.get("version").asInt()).isEqualTo(1);
        assertThat(doc.get("hash").asText()).hasSize(64);
        assertThat(doc.get("created").asBoolean()).isTrue();
        // flags lost 4 (rejected, unsuitable, relabelled to symbols, disputed); symbols gained 1.
        assertThat(doc.get("left_out").toString()).isEqualTo("{\"not_suitable\":1,\"rejected\":1,\"reviewers_disagree\":1}");
        JsonNode counts = doc.get("counts");
        assertThat(counts.get("train").get("flags").asInt() + counts.get("validation").get("flags").asInt()
                + counts.get("test").get("flags").asInt()).isEqualTo(16);
        assertThat(counts.get("train").get("symbols").asInt() + counts.get("validation").get("symbols").asInt()
                + counts.get("test").get("symbols").asInt()).isEqualTo(21);
        // Stratified: 20% of each class in test and in validation (rounded).
        assertThat(counts.get("test").get("activities").asInt()).isEqualTo(4);
        assertThat(counts.get("validation").get("activities").asInt()).isEqualTo(4);
        assertThat(counts.get("test").get("flags").asInt()).isEqualTo(3);

        CliRun again = CliRun.in(cwd, "dataset", "freeze", "--project", "icons", "--validation", "0.2", "--test", "0.2", "--json");
        assertThat(again.json().get("created").asBoolean()).isFalse();
        assertThat(again.json().get("hash").asText()).isEqualTo(doc.get("hash").asText());
        CliRun otherSeed = CliRun.in(cwd, "dataset", "freeze", "--project", "icons", "--validation", "0.2", "--test", "0.2",
                "--seed", "7", "--json");
        assertThat(otherSeed.json().get("version").asInt()).isEqualTo(2);
        assertThat(otherSeed.json().get("hash").asText()).isNotEqualTo(doc.get("hash").asText());
        JsonNode shown = CliRun.in(cwd, "dataset", "show", "--project", "icons", "1", "--json").json();
        assertThat(shown.get("counts")).isEqualTo(counts);
        assertThat(shown.has("items")).isFalse();
        // --items: every image with its label and split, agreeing with the counts, in the JSON and as CSV.
        JsonNode items = CliRun.in(cwd, "dataset", "show", "--project", "icons", "1", "--items", "--json").json().get("items");
        Map<String, Integer> bySplitAndLabel = new java.util.HashMap<>();
        for (JsonNode i : items) {
            assertThat(i.get("sha256").asText()).hasSize(64);
            assertThat(i.get("path").asText()).as(i.toString()).isNotBlank();
            bySplitAndLabel.merge(i.get("split").asText() + "/" + i.get("label").asText(), 1, Integer::sum);
        }
        int total = 0;
        for (var split : java.util.List.of("train", "validation", "test")) {
            for (var label : (Iterable<String>) counts.get(split)::fieldNames) {
                assertThat(bySplitAndLabel.get(split + "/" + label)).as(split + "/" + label)
                        .isEqualTo(counts.get(split).get(label).asInt());
                total += counts.get(split).get(label).asInt();
            }
        }
        assertThat(items).hasSize(total);
        List<String> csv = CliRun.in(cwd, "dataset", "show", "--project", "icons", "1", "--items").stdout().lines().toList();
        assertThat(csv.get(0)).isEqualTo("path,label,split,sha256");
        assertThat(csv).hasSize(total + 1);
        assertThat(csv.get(1)).endsWith("," + items.get(0).get("sha256").asText());
        assertThat(CliRun.in(cwd, "dataset", "list", "--project", "icons", "--json").json().get("versions")).hasSize(2);
    }

    @Test
    void badInputIsRefused() {
        assertThat(CliRun.in(cwd, "project", "create", "empty", "--classes", "a,b").exitCode()).isZero();
        CliRun nothing = CliRun.in(cwd, "dataset", "freeze", "--project", "empty");
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.stderr()).contains("has no labelled images to freeze");
        CliRun fractions = CliRun.in(cwd, "dataset", "freeze", "--project", "empty", "--validation", "0.6", "--test", "0.5");
        assertThat(fractions.stderr()).contains("add up to less than 1");
        assertThat(CliRun.in(cwd, "dataset", "show", "--project", "empty", "3").stderr()).contains("has no dataset version 3");
    }
}
