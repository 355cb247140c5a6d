package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import dev.fovea.core.testing.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the first {@code count} images of Debian's Fashion-MNIST training file as 28 px greyscale PNGs in class
 * folders ({@code <class>/train-<index>.png}), for benchmarks that import real data with {@code fovea import}. The
 * Python peers read the same first {@code count} images from the same file. With {@code --skip}, the images after
 * the first {@code skip}; with {@code --flip F}, a seeded share F of them is filed under another class (drawn evenly
 * from the other nine), and {@code --truth FILE} lists every written path with its true class ({@code path,class}).
 *
 * <pre>
 * java -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.PrepareFashionFolders \
 *     --out /tmp/fovea-bench/fashion-4000 [--count 4000]
 * </pre>
 */
public final class PrepareFashionFolders {
    private PrepareFashionFolders() {}

    @Command(name = "PrepareFashionFolders", mixinStandardHelpOptions = true,
            description = "Writes the first N Fashion-MNIST training images as PNGs in class folders.")
    static final class Options {
        @Option(names = "--out", required = true, description = "the folder to write (must not exist)") Path out;
        @Option(names = "--count", description = "images (default ${DEFAULT-VALUE})") int count = 4000;
        @Option(names = "--skip", description = "leave out the file's first N images (default ${DEFAULT-VALUE})") int skip;
        @Option(names = "--flip", description = "share of images filed under a wrong class (default ${DEFAULT-VALUE})")
        double flip;
        @Option(names = "--seed", description = "seed of the flips (default ${DEFAULT-VALUE})") long seed = 42;
        @Option(names = "--truth", description = "write path,true_class for every image here") Path truth;
    }

    public static void main(String[] args) {
        Options o = BenchOptions.parse(new Options(), args);
        BenchOptions.require(FashionMnist.available(), o, "Fashion-MNIST is not in " + FashionMnist.DIR
                + "; install Debian's dataset-fashion-mnist");
        BenchOptions.require(o.count >= 1 && o.skip >= 0 && o.skip + o.count <= 60_000, o,
                "--skip plus --count must be 1 to 60000, not " + o.skip + " + " + o.count);
        BenchOptions.require(o.flip >= 0 && o.flip < 1, o, "--flip must be 0 or more and below 1, not " + o.flip);
        BenchOptions.require(!Files.exists(o.out), o, o.out + " exists already; remove it first");
        List<FashionMnist.Item> read = FashionMnist.read(true, o.skip + o.count);
        List<FashionMnist.Item> items = new java.util.ArrayList<>(read.subList(o.skip, read.size()));
        List<FashionMnist.Item> truth = List.copyOf(items);
        java.util.Random random = new java.util.Random(o.seed);
        List<Integer> order = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, items.size()).boxed().toList());
        java.util.Collections.shuffle(order, random);
        for (int i : order.subList(0, (int) Math.round(o.flip * items.size()))) {
            FashionMnist.Item item = items.get(i);
            int wrong = (item.label() + 1 + random.nextInt(FashionMnist.CLASSES.size() - 1)) % FashionMnist.CLASSES.size();
            items.set(i, new FashionMnist.Item(item.index(), wrong, item.pixels(), item.train()));
        }
        FashionMnist.writePngTree(items, o.out);
        if (o.truth != null) {
            StringBuilder csv = new StringBuilder("path,class\n");
            for (int i = 0; i < items.size(); i++) {
                csv.append(items.get(i).className()).append('/').append(items.get(i).fileName()).append(',')
                        .append(truth.get(i).className()).append('\n');
            }
            try {
                Files.writeString(o.truth, csv);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + o.truth, e);
            }
        }
        TreeMap<String, Integer> perClass = new TreeMap<>();
        for (FashionMnist.Item item : items) perClass.merge(FashionMnist.CLASSES.get(item.label()), 1, Integer::sum);
        System.out.printf(Locale.ROOT, "wrote %d Fashion-MNIST training images to %s: %s%n", items.size(), o.out, perClass);
    }
}
