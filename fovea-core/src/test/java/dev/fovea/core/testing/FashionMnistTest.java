package dev.fovea.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir Path tmp;

    @Test
    void readsTheFirstTestImagesWithTheirLabels() {
        assumeTrue(FashionMnist.available(), "dataset-fashion-mnist is not installed");
        List<FashionMnist.Item> items = FashionMnist.read(false, 100);

        assertThat(items).hasSize(100);
        assertThat(items).extracting(FashionMnist.Item::index).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 100).boxed().toList());
        assertThat(items).allSatisfy(item -> {
            assertThat(item.label()).isBetween(0, 9);
            assertThat(item.pixels()).hasSize(28 * 28);
            assertThat(item.train()).isFalse();
        });
        // The known start of t10k: ankle boot, pullover, trouser, trouser, shirt, trouser, coat, shirt, sandal, sneaker.
        assertThat(items.subList(0, 10)).extracting(FashionMnist.Item::label)
                .containsExactly(9, 2, 1, 1, 6, 1, 4, 6, 5, 7);
        int[] counts = new int[10];
        for (FashionMnist.Item item : items) counts[item.label()]++;
        assertThat(counts).containsExactly(8, 13, 14, 9, 10, 9, 8, 11, 12, 6);
        assertThat(items.getFirst().className()).isEqualTo("ankle-boot");
        int sum = 0;
        for (byte b : items.getFirst().pixels()) sum += b & 0xff;
        assertThat(sum).isEqualTo(33456);
    }

    @Test
    void balancedTakesTheFirstImagesOfEachLabelInFileOrder() {
        assumeTrue(FashionMnist.available(), "dataset-fashion-mnist is not installed");
        List<FashionMnist.Item> items = FashionMnist.balanced(true, 5, Set.of(0, 9));

        assertThat(items).hasSize(10);
        assertThat(items).filteredOn(i -> i.label() == 0).hasSize(5);
        assertThat(items).filteredOn(i -> i.label() == 9).hasSize(5);
        assertThat(items).extracting(FashionMnist.Item::index).isSorted();
        assertThat(items.getFirst().index()).isZero(); // train starts: ankle boot, t-shirt, t-shirt, dress, ...
        assertThat(items).extracting(FashionMnist.Item::index)
                .isEqualTo(FashionMnist.balanced(true, 5, Set.of(9, 0)).stream().map(FashionMnist.Item::index).toList());
        assertThatThrownBy(() -> FashionMnist.balanced(false, 1001, Set.of(3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dress");
    }

    @Test
    void writesAGreyPngTreeThatReadsBackPixelForPixel() throws IOException {
        assumeTrue(FashionMnist.available(), "dataset-fashion-mnist is not installed");
        List<FashionMnist.Item> items = FashionMnist.read(false, 100);
        Path root = tmp.resolve("fashion");
        FashionMnist.writePngTree(items, root);

        try (var files = Files.walk(root)) {
            assertThat(files.filter(f -> f.toString().endsWith(".png")).count()).isEqualTo(100);
        }
        try (var dirs = Files.list(root)) {
            assertThat(dirs.map(d -> d.getFileName().toString()).toList())
                    .allMatch(FashionMnist.CLASSES::contains).hasSize(10);
        }
        FashionMnist.Item first = items.getFirst();
        Path png = root.resolve("ankle-boot").resolve("test-0.png");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(28);
        assertThat(image.getHeight()).isEqualTo(28);
        assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(image.getColorModel().getPixelSize()).isEqualTo(8);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertThat(image.getRaster().getSample(x, y, 0)).as("pixel %d,%d", x, y).isEqualTo(first.pixel(x, y));
            }
        }
    }

    @Test
    void aFileWithTheWrongMagicNumberIsNamedInTheError() throws IOException {
        Path images = tmp.resolve("images.gz");
        Path labels = tmp.resolve("labels.gz");
        writeGz(images, 2049, 1, 28, 28); // a labels header where images belong
        writeGz(labels, 2049, 1);

        assertThatThrownBy(() -> FashionMnist.scan(images, labels, true, 10, l -> true))
                .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining(images.toString()).hasMessageContaining("2049").hasMessageContaining("2051");
    }

    private static void writeGz(Path file, int... ints) throws IOException {
        try (var out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            for (int i : ints) out.writeInt(i);
        }
    }
}
