package dev.fovea.app.cli;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import dev.fovea.store.Storage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea import} on a tree of a few hundred real images in every format, with damaged files of every kind
 * mixed in: each good image imported once, each unusable file rejected with its code, exact duplicates counted,
 * and a second run importing nothing.
 */
class ImportCommandIT {
    @TempDir Path cwd;
    Path tree;
    int goodImages;
    final Map<String, String> expectedRejections = new HashMap<>();

    @BeforeEach
    void buildTree() throws IOException {
        tree = Files.createDirectories(cwd.resolve("captures"));
        String[] formats = {"png", "jpeg", "gif", "bmp", "tiff", "progressive"};
        int i = 0;
        for (String cls : sampleClasses()) {
            Path dir = Files.createDirectories(tree.resolve(cls));
            for (Path png : samplePngs(cls, 30)) {
                BufferedImage image = read(png);
                String format = formats[i++ % formats.length];
                byte[] bytes = switch (format) {
                    case "png" -> bytes(png);
                    case "progressive" -> progressiveJpeg(opaque(image, 128, 128));
                    default -> encode(format.equals("jpeg") ? opaque(image, 128, 96) : image, format);
                };
                String ext = format.equals("progressive") ? "jpg" : format.equals("jpeg") ? "jpeg" : format;
                Files.write(dir.resolve(png.getFileName().toString().replace(".png", "." + ext)), bytes);
                goodImages++;
            }
        }
        Path animals = tree.resolve("animals-nature");
        Files.copy(fixture("cmyk.jpg"), animals.resolve("cmyk.jpg"));
        Files.copy(fixture("lossy.webp"), animals.resolve("lossy.webp"));
        Files.copy(fixture("lossless.webp"), animals.resolve("lossless.webp"));
        // An extension that lies is not a rejection: a PNG named .jpg is imported as PNG.
        BufferedImage flag = read(samplePngs("flags", 40).get(35));
        Files.write(tree.resolve("flags/really-a-png.jpg"), encode(flag, "png"));
        goodImages += 4;

        // Exact duplicates: the same bytes under another name, in the same class and in another class.
        Path symbols = tree.resolve("symbols");
        try (Stream<Path> files = Files.list(symbols)) {
            List<Path> some = files.sorted().limit(5).toList();
            for (Path f : some) Files.copy(f, symbols.resolve("copy-of-" + f.getFileName()));
            Files.copy(some.get(0), tree.resolve("objects/moved-" + some.get(0).getFileName()));
        }

        Path food = tree.resolve("food-drink");
        byte[] realJpeg = encode(opaque(read(samplePngs("food-drink", 1).get(0)), 200, 200), "jpeg");
        bad(food.resolve("empty.jpg"), new byte[0], "empty");
        bad(food.resolve("error-page.jpg"), "<!DOCTYPE html><html><body>403 Forbidden</body></html>"
                .getBytes(StandardCharsets.UTF_8), "not_an_image");
        bad(food.resolve("cut.jpg"), truncate(realJpeg, 0.55), "truncated");
        bad(food.resolve("cut.png"), truncate(encode(opaque(read(samplePngs("food-drink", 2).get(1)), 200, 200), "png"), 0.5),
                "truncated");
        bad(food.resolve("bad-sector.png"), scramble(encode(opaque(read(samplePngs("food-drink", 3).get(2)), 200, 200), "png"),
                0.3, 0.6), "corrupt");
        bad(food.resolve("bomb.png"), pngClaiming(40_000, 40_000), "too_many_pixels");
        byte[] heic = new byte[256];
        System.arraycopy(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'}, 0, heic, 0, 12);
        bad(food.resolve("iphone.heic"), heic, "unsupported_format");
        byte[] huge = new byte[3_000_000];
        new Random(1).nextBytes(huge);
        huge[0] = (byte) 0xFF; huge[1] = (byte) 0xD8; huge[2] = (byte) 0xFF;
        bad(food.resolve("huge.jpg"), huge, "too_large");
        Path secret = Files.write(cwd.resolve("secret.jpg"), realJpeg);
        Files.createSymbolicLink(food.resolve("escape.jpg"), secret);
        expectedRejections.put("food-drink/escape.jpg", "unsafe_path");
        Files.writeString(tree.resolve(".DS_Store"), "litter");
    }

    private void bad(Path file, byte[] bytes, String reason) throws IOException {
        Files.write(file, bytes);
        expectedRejections.put(tree.relativize(file).toString(), reason);
    }

    private CliRun importTree(String project) {
        return CliRun.in(cwd, "-s", "import.max_file_bytes=2000000", "-s", "import.threads=2",
                "import", "captures", "--project", project, "--create", "--json");
    }

    @Test
    void importsEveryGoodImageOnceAndRejectsEveryBadFileWithItsReason() {
        CliRun first = importTree("captures");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        JsonNode doc = first.json();
        assertThat(doc.get("project").asText()).isEqualTo("captures");
        assertThat(doc.get("imported").asInt()).isEqualTo(goodImages);
        assertThat(doc.get("duplicates").asInt()).isEqualTo(6);
        assertThat(doc.get("skipped").asInt()).isEqualTo(1);
        Map<String, String> rejected = new HashMap<>();
        doc.get("rejected").forEach(r -> {
            rejected.put(r.get("path").asText(), r.get("reason").asText());
            assertThat(r.get("message").asText()).isNotBlank();
        });
        assertThat(rejected).isEqualTo(expectedRejections);

        try (Storage storage = Storage.embedded(cwd.resolve("fovea-data"), Clock.systemUTC())) {
            Project project = storage.projects().require("captures");
            assertThat(project.classes()).containsExactlyElementsOf(sampleClasses());
            assertThat(storage.images().count(project.id())).isEqualTo(goodImages);
            Map<String, Long> byLabel = storage.images().countByLabel(project.id());
            assertThat(byLabel.get("animals-nature")).isEqualTo(33);
            assertThat(byLabel.get("flags")).isEqualTo(31);
            StoredImage any = storage.images().page(project.id(), 0, 1).get(0);
            assertThat(storage.blobs().get(any.sha256())).isPresent();
            assertThat(storage.blobs().get(any.thumbnailSha256())).isPresent();
            // The lying extension is recorded with its true format.
            assertThat(storage.images().page(project.id(), 0, goodImages)).filteredOn(img ->
                    storage.images().sources(project.id(), img.sha256()).get(0).path().equals("flags/really-a-png.jpg"))
                    .singleElement().satisfies(img -> assertThat(img.format().word()).isEqualTo("png"));
            assertThat(storage.images().rejections(project.id())).hasSize(expectedRejections.size());
        }

        CliRun second = importTree("captures");
        assertThat(second.exitCode()).isZero();
        JsonNode again = second.json();
        assertThat(again.get("imported").asInt()).isZero();
        assertThat(again.get("duplicates").asInt()).isZero();
        assertThat(again.get("unchanged").asInt()).isEqualTo(goodImages + 6);
        assertThat(again.get("rejected")).hasSize(expectedRejections.size());

        CliRun text = CliRun.in(cwd, "-s", "import.max_file_bytes=2000000", "import", "captures", "--project", "captures");
        assertThat(text.stdout()).contains("Nothing new").contains("0 imported");
    }

    @Test
    void zipImportKeepsPathsRelativeToTheZipAndRefusesEntriesThatClimbOut() throws IOException {
        Path zip = cwd.resolve("export.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (String cls : List.of("flags", "symbols")) {
                for (Path png : samplePngs(cls, 5)) {
                    z.putNextEntry(new ZipEntry("export/" + cls + "/" + png.getFileName()));
                    z.write(bytes(png));
                    z.closeEntry();
                }
            }
            z.putNextEntry(new ZipEntry("export/../../evil.png"));
            z.write(bytes(samplePngs("flags", 6).get(5)));
            z.closeEntry();
        }
        CliRun run = CliRun.in(cwd, "import", "export.zip", "--project", "zipped", "--create", "--json");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.json().get("imported").asInt()).isEqualTo(10);
        assertThat(run.json().get("rejected").get(0).get("path").asText()).isEqualTo("export/../../evil.png");
        assertThat(run.json().get("rejected").get(0).get("reason").asText()).isEqualTo("unsafe_path");
        assertThat(Files.exists(cwd.getParent().resolve("evil.png"))).isFalse();
        JsonNode show = CliRun.in(cwd, "project", "show", "zipped", "--json").json();
        assertThat(show.get("classes").toString()).isEqualTo("[\"flags\",\"symbols\"]");
        assertThat(show.get("images").asInt()).isEqualTo(10);
        assertThat(show.get("id").asText()).hasSize(36);
    }

    @Test
    void csvLabelsAFlatFolder() throws IOException {
        Path flat = Files.createDirectories(cwd.resolve("flat"));
        StringBuilder csv = new StringBuilder("path,label\n");
        for (String cls : List.of("flags", "activities")) {
            for (Path png : samplePngs(cls, 4)) {
                Files.copy(png, flat.resolve(png.getFileName()));
                csv.append(png.getFileName()).append(',').append(cls).append('\n');
            }
        }
        csv.append("missing.png,flags\n");
        Files.writeString(cwd.resolve("labels.csv"), csv);
        CliRun run = CliRun.in(cwd, "import", "flat", "--labels", "labels.csv", "--project", "from-csv", "--create", "--json");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.json().get("imported").asInt()).isEqualTo(8);
        assertThat(run.json().get("csv_rows_without_file").get(0).asText()).isEqualTo("missing.png");
        try (Storage storage = Storage.embedded(cwd.resolve("fovea-data"), Clock.systemUTC())) {
            Project p = storage.projects().require("from-csv");
            assertThat(p.classes()).containsExactly("flags", "activities");
            assertThat(storage.images().countByLabel(p.id())).containsEntry("flags", 4L).containsEntry("activities", 4L);
        }
    }

    @Test
    void wrongProjectOrClassesStopTheImportBeforeAnythingIsWritten() {
        CliRun missing = CliRun.in(cwd, "import", "captures", "--project", "nope", "--json");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.json().get("error").get("code").asText()).isEqualTo("not_found");
        assertThat(missing.json().get("error").get("message").asText()).contains("'nope' does not exist").contains("--create");

        assertThat(CliRun.in(cwd, "project", "create", "two", "--classes", "flags,symbols").exitCode()).isZero();
        CliRun unknown = CliRun.in(cwd, "import", "captures", "--project", "two");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("are not classes of project 'two'").contains("activities");
        assertThat(CliRun.in(cwd, "project", "show", "two", "--json").json().get("images").asInt()).isZero();

        CliRun badName = CliRun.in(cwd, "import", "captures", "--project", "Bad_Name");
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.stderr()).contains("'Bad_Name' is not valid");

        CliRun noSuchPath = CliRun.in(cwd, "import", "nowhere", "--project", "two");
        assertThat(noSuchPath.exitCode()).isEqualTo(2);
        assertThat(noSuchPath.stderr()).contains("'" + cwd.resolve("nowhere") + "' does not exist");
    }
}
