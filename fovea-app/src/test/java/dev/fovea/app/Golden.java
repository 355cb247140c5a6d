package dev.fovea.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Golden documents: what a command prints or a route answers, compared as text with a file under
 * {@code src/test/resources/golden/}, after the parts that differ from run to run (ids, times, durations, tokens,
 * passwords, folders, and with {@link #trained} the numbers a training run computes) are replaced by placeholders. Everything
 * else, keys, their order, types, formatting, must stay the same byte for byte. {@code -Dfovea.golden.write=true}
 * writes the files instead of comparing (only when a document is meant to change).
 */
public final class Golden {
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})?");
    private static final Pattern TOKEN = Pattern.compile("fov_[A-Za-z0-9_-]+");
    /** A one-time password as AccountService makes them. */
    private static final Pattern PASSWORD = Pattern.compile("\"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\"");
    private static final Pattern DURATION = Pattern.compile(
            "(\"(seconds|ms|elapsed_ms|duration_ms|wall_seconds|epoch_seconds|images_per_second|load_ms)\" ?: ?)-?[0-9.E+-]+");
    /** A number standing alone (not part of a word such as resnet18): what a training run computes. */
    private static final Pattern SHA256 = Pattern.compile("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])");
    /** What a run records of the machine and the build it ran on. */
    private static final Pattern MACHINE = Pattern.compile("(\"(host|os|java|fovea|djl|pytorch|onednn_isa)\" ?: ?)\"[^\"]*\"");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.<])-?\\d+(\\.\\d+)?([Ee][+-]?\\d+)?(?![\\w.])|NaN");

    private final String text;

    private Golden(String text) {
        this.text = text;
    }

    /** A document whose numbers are all fixed by its input. */
    public static Golden of(String text, Path... folders) {
        String t = text;
        for (Path folder : folders) t = t.replace(folder.toAbsolutePath().toString(), "<dir>");
        t = UUID.matcher(t).replaceAll("<uuid>");
        t = TIME.matcher(t).replaceAll("<time>");
        t = TOKEN.matcher(t).replaceAll("<token>");
        t = PASSWORD.matcher(t).replaceAll("\"<password>\"");
        t = DURATION.matcher(t).replaceAll("$1<duration>");
        return new Golden(t);
    }

    /**
     * A document that holds what a training run computed: its numbers (losses, accuracies, counts in a confusion
     * matrix) vary with the machine's kernels, so only its keys, their order, types and formatting are compared.
     */
    public static Golden trained(String text, Path... folders) {
        String t = SHA256.matcher(of(text, folders).text).replaceAll("<sha256>"); // of weights, predictions
        t = MACHINE.matcher(t).replaceAll("$1\"<machine>\"");
        return new Golden(NUMBER.matcher(t).replaceAll("<n>"));
    }

    public void matches(String name) {
        Path file = Path.of("src/test/resources/golden").resolve(name);
        try {
            if (Boolean.getBoolean("fovea.golden.write")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, text, StandardCharsets.UTF_8);
                return;
            }
            assertThat(file).as("golden file %s (write it with -Dfovea.golden.write=true)", file).exists();
            assertThat(text).as("golden document %s", name).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
