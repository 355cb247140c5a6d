package dev.fovea.bench;

import dev.fovea.bench.support.Json;
import dev.fovea.bench.support.JsonObject;
import dev.fovea.core.testing.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** The images the serving benchmark sends, and their request bodies. */
final class ServingImages {
    /** The images a --model needs are not there: the run stops with status 2, as for a bad option. */
    static final class MissingImages extends IllegalStateException {
        MissingImages(String problem) {
            super(problem);
        }
    }

    private ServingImages() {}

    /** An image to send: where it came from and its PNG bytes. */
    record Image(String file, byte[] png) {}

    static List<Image> emojiImages(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new MissingImages("no emoji folder " + dir);
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        List<Image> out = new ArrayList<>();
        for (Path f : files) out.add(new Image(dir.relativize(f).toString(), Files.readAllBytes(f)));
        if (out.isEmpty()) throw new MissingImages("no PNG files under " + dir);
        // Interleave the classes (the folders), so that consecutive requests are not all of one class.
        Map<String, List<Image>> byClass = new TreeMap<>();
        for (Image im : out) byClass.computeIfAbsent(im.file().split("/")[0], k -> new ArrayList<>()).add(im);
        List<Image> mixed = new ArrayList<>();
        for (int i = 0; mixed.size() < out.size(); i++) {
            for (List<Image> l : byClass.values()) if (i < l.size()) mixed.add(l.get(i));
        }
        return mixed;
    }

    static List<Image> fashionImages(List<String> classes, int perClass) {
        if (!FashionMnist.available()) throw new MissingImages("Fashion-MNIST is missing under " + FashionMnist.DIR + " (apt-get install dataset-fashion-mnist)");
        Set<Integer> labels = new HashSet<>();
        for (String c : classes) {
            int label = FashionMnist.CLASSES.indexOf(c);
            if (label < 0) throw new MissingImages("class '" + c + "' of a fashion model is not a Fashion-MNIST class " + FashionMnist.CLASSES);
            labels.add(label);
        }
        List<FashionMnist.Item> items = new ArrayList<>(FashionMnist.balanced(false, perClass, labels));
        items.sort((a, b) -> Integer.compare(a.index(), b.index())); // file order: classes mixed as they come
        List<Image> out = new ArrayList<>();
        for (FashionMnist.Item item : items) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            try {
                if (!ImageIO.write(FashionMnist.image(item), "png", png)) throw new IOException("no PNG writer");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.add(new Image(item.className() + "/" + item.fileName(), png.toByteArray()));
        }
        return out;
    }

    /** The OIP v2 request for one image: {"inputs":[{"name":"image","datatype":"BYTES","shape":[1],"data":[BASE64]}]}. */
    static byte[] body(byte[] png) {
        JsonObject input = JsonObject.of("name", "image", "datatype", "BYTES", "shape", List.of(1),
                "data", List.of(Base64.getEncoder().encodeToString(png)));
        return Json.write(JsonObject.of("inputs", List.of(input))).getBytes(StandardCharsets.UTF_8);
    }
}
