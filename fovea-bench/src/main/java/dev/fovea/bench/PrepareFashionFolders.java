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
 * Python peers read the same first {@code count} images from the same file.
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
    }

    public static void main(String[] args) {
        Options o = BenchOptions.parse(new Options(), args);
        BenchOptions.require(FashionMnist.available(), o, "Fashion-MNIST is not in " + FashionMnist.DIR
                + "; install Debian's dataset-fashion-mnist");
        BenchOptions.require(o.count >= 1 && o.count <= 60_000, o, "--count must be 1 to 60000, not " + o.count);
        BenchOptions.require(!Files.exists(o.out), o, o.out + " exists already; remove it first");
        List<FashionMnist.Item> items = FashionMnist.read(true, o.count);
        FashionMnist.writePngTree(items, o.out);
        TreeMap<String, Integer> perClass = new TreeMap<>();
        for (FashionMnist.Item item : items) perClass.merge(FashionMnist.CLASSES.get(item.label()), 1, Integer::sum);
        System.out.printf(Locale.ROOT, "wrote %d Fashion-MNIST training images to %s: %s%n", items.size(), o.out, perClass);
    }
}
