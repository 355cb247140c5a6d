package dev.fovea.core.testing;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Fashion-MNIST (Zalando, MIT licence) as Debian's {@code dataset-fashion-mnist} installs it: 60,000 training and
 * 10,000 test images of 28x28 grey pixels in 10 classes, in gzip IDX files. Tests that need a real, learnable
 * image set read it from here and skip themselves where the package is missing ({@link #available()}).
 */
public final class FashionMnist {
    private FashionMnist() {}

    public static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names by label, as folder-safe lowercase words (the names Fovea's folder import will see). */
    public static final List<String> CLASSES = List.of(
            "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    public static final int SIDE = 28;
    public static final int PIXELS = SIDE * SIDE;

    static final int IMAGES_MAGIC = 2051;
    static final int LABELS_MAGIC = 2049;

    /**
     * One image: its position in its file, its label (index into {@link #CLASSES}), its 28x28 grey pixels row by row
     * (0 = background), and whether it comes from the training file or the test file.
     */
    public record Item(int index, int label, byte[] pixels, boolean train) {
        public Item {
            if (label < 0 || label >= CLASSES.size()) throw new IllegalArgumentException("label " + label);
            if (pixels.length != PIXELS) throw new IllegalArgumentException(pixels.length + " pixels, not " + PIXELS);
        }

        public String className() {
            return CLASSES.get(label);
        }

        /** {@code <train|test>-<index>.png}, unique within one class folder. */
        public String fileName() {
            return (train ? "train-" : "test-") + index + ".png";
        }

        /** The pixel at column x, row y, 0 to 255. */
        public int pixel(int x, int y) {
            return pixels[y * SIDE + x] & 0xff;
        }

        @Override
        public String toString() {
            return "Item[" + (train ? "train " : "test ") + index + ", " + className() + "]";
        }
    }

    /** Whether all four files are there to read. */
    public static boolean available() {
        for (boolean train : new boolean[] {true, false}) {
            if (!Files.isReadable(imagesFile(train)) || !Files.isReadable(labelsFile(train))) return false;
        }
        return true;
    }

    public static Path imagesFile(boolean train) {
        return DIR.resolve((train ? "train" : "t10k") + "-images-idx3-ubyte.gz");
    }

    public static Path labelsFile(boolean train) {
        return DIR.resolve((train ? "train" : "t10k") + "-labels-idx1-ubyte.gz");
    }

    /** The first {@code limit} items of the training or test file, in file order (all of them if it holds fewer). */
    public static List<Item> read(boolean train, int limit) {
        if (limit < 0) throw new IllegalArgumentException("limit " + limit);
        return scan(imagesFile(train), labelsFile(train), train, limit, label -> true);
    }

    /**
     * The first {@code perClass} items of each label in {@code labels}, in file order (so the same call always gives
     * the same items). Throws if the file holds fewer than {@code perClass} of a label.
     */
    public static List<Item> balanced(boolean train, int perClass, Set<Integer> labels) {
        if (perClass < 0) throw new IllegalArgumentException("perClass " + perClass);
        for (int label : labels) {
            if (label < 0 || label >= CLASSES.size()) throw new IllegalArgumentException("label " + label);
        }
        int[] wanted = new int[CLASSES.size()];
        for (int label : labels) wanted[label] = perClass;
        int total = perClass * labels.size();
        List<Item> items = scan(imagesFile(train), labelsFile(train), train, total,
                label -> wanted[label]-- > 0);
        if (items.size() < total) {
            Set<String> short_ = new TreeSet<>();
            for (int label : labels) if (wanted[label] > 0) short_.add(CLASSES.get(label));
            throw new IllegalStateException("the " + (train ? "training" : "test") + " file holds fewer than "
                    + perClass + " images of " + short_);
        }
        return items;
    }

    /**
     * Writes each item as an 8-bit grey PNG {@code dir/<class>/<train|test>-<index>.png}, so that importing
     * {@code dir} labels the images by folder.
     */
    public static void writePngTree(List<Item> items, Path dir) {
        try {
            for (Item item : items) {
                Path folder = dir.resolve(item.className());
                Files.createDirectories(folder);
                Path file = folder.resolve(item.fileName());
                if (!ImageIO.write(image(item), "png", file.toFile())) {
                    throw new IOException("no ImageIO writer for PNG");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Fashion-MNIST PNGs under " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The item as a {@link BufferedImage#TYPE_BYTE_GRAY} image. */
    public static BufferedImage image(Item item) {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, SIDE, SIDE, item.pixels());
        return image;
    }

    /**
     * Reads the images and labels files side by side, keeping the items whose label {@code keep} accepts (it is
     * called once per item, in file order) until {@code limit} are kept or the files end.
     */
    static List<Item> scan(Path imagesFile, Path labelsFile, boolean train, int limit, IntPredicate keep) {
        try (DataInputStream images = open(imagesFile); DataInputStream labels = open(labelsFile)) {
            int imagesMagic = images.readInt();
            if (imagesMagic != IMAGES_MAGIC) throw badHeader(imagesFile, "magic number " + imagesMagic
                    + ", not " + IMAGES_MAGIC + " (IDX3 unsigned bytes)");
            int labelsMagic = labels.readInt();
            if (labelsMagic != LABELS_MAGIC) throw badHeader(labelsFile, "magic number " + labelsMagic
                    + ", not " + LABELS_MAGIC + " (IDX1 unsigned bytes)");
            int count = images.readInt();
            int rows = images.readInt();
            int cols = images.readInt();
            if (rows != SIDE || cols != SIDE) throw badHeader(imagesFile, "images of " + cols + "x" + rows
                    + ", not " + SIDE + "x" + SIDE);
            int labelCount = labels.readInt();
            if (labelCount != count) throw badHeader(labelsFile, labelCount + " labels for " + count + " images in "
                    + imagesFile.getFileName());
            List<Item> items = new ArrayList<>(Math.min(limit, count));
            byte[] skip = new byte[PIXELS];
            for (int i = 0; i < count && items.size() < limit; i++) {
                int label = labels.readUnsignedByte();
                if (label >= CLASSES.size()) throw badHeader(labelsFile, "label " + label + " at index " + i);
                if (keep.test(label)) {
                    byte[] pixels = new byte[PIXELS];
                    images.readFully(pixels);
                    items.add(new Item(i, label, pixels, train));
                } else {
                    images.readFully(skip);
                }
            }
            return items;
        } catch (EOFException e) {
            throw new UncheckedIOException("Fashion-MNIST file " + imagesFile + " or " + labelsFile
                    + " ends early", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Fashion-MNIST from " + imagesFile + " and " + labelsFile
                    + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                1 << 16));
    }

    private static UncheckedIOException badHeader(Path file, String what) {
        String message = "not a Fashion-MNIST file: " + file + ": " + what;
        return new UncheckedIOException(message, new IOException(message));
    }
}
