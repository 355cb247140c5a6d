package dev.fovea.app.weights;

import dev.fovea.core.FoveaException;
import dev.fovea.core.weights.WeightsService;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code fovea weights fetch} downloads from: torchvision's ImageNet weights by name (the IMAGENET1K_V1 files
 * of torchvision 0.14, whose names carry the first 8 hex digits of their SHA-256), or any URL with an architecture.
 */
public final class TorchvisionWeights {
    private static final Map<String, Source> TABLE = new LinkedHashMap<>();
    // A torchvision-style file name: NAME-HEXPREFIX.pth (or .pt, .safetensors)
    private static final Pattern HASHED_NAME = Pattern.compile(".*-([0-9a-f]{8,64})\\.(pth|pt|safetensors)");

    static {
        table("resnet18", "resnet18", "resnet18-f37072fd.pth");
        table("resnet34", "resnet34", "resnet34-b627a593.pth");
        table("resnet50", "resnet50", "resnet50-0676ba61.pth");
        table("mobilenet_v2", "mobilenet-v2", "mobilenet_v2-b0353104.pth");
    }

    /** torchvision's own host; setting weights.torchvision_url names a mirror of the same files instead. */
    public static final String HOST = "https://download.pytorch.org/models/";

    /** The names torchvision: takes (a constant, for the command's help). */
    public static final String IDS = "resnet18, resnet34, resnet50, mobilenet_v2";

    private TorchvisionWeights() {}

    /**
     * A download: the network it is for, the URL, the hash prefix its file name carries (null: none), the file
     * name to download to, and the name to install it under when none is given (null: the user must say).
     */
    public record Source(String arch, URI url, String hashPrefix, String fileName, String defaultName) {}

    private static void table(String id, String arch, String file) {
        TABLE.put(id, of(URI.create(HOST + file), arch, arch + "-imagenet"));
    }

    /**
     * {@code torchvision:ID}, from {@code base} (torchvision's host or a mirror of its files, ending in /), or a URL
     * (then {@code arch} is needed).
     */
    public static Source resolve(String source, String arch, String base) {
        String s = source.trim();
        if (s.startsWith("torchvision:")) {
            String id = s.substring("torchvision:".length()).toLowerCase(Locale.ROOT).replace('-', '_');
            Source known = TABLE.get(id);
            if (known == null) {
                throw FoveaException.invalid("source '" + source + "' is not one of torchvision's: "
                        + String.join(", ", TABLE.keySet().stream().map(k -> "torchvision:" + k).toList()));
            }
            if (arch != null && !arch.equals(known.arch())) {
                throw FoveaException.invalid("source " + source + " is " + known.arch() + " weights, not --arch " + arch);
            }
            if (base.equals(HOST)) return known;
            URI mirrored;
            try {
                mirrored = new URI((base.endsWith("/") ? base : base + "/") + known.fileName());
            } catch (URISyntaxException e) {
                throw FoveaException.invalid("setting weights.torchvision_url '" + base + "' is not a URL: " + e.getReason());
            }
            return new Source(known.arch(), mirrored, known.hashPrefix(), known.fileName(), known.defaultName());
        }
        if (!s.contains("://")) {
            throw FoveaException.invalid("source '" + source + "' is neither torchvision:ARCH (" + IDS + ") nor a URL");
        }
        if (arch == null) throw FoveaException.invalid("fetch " + source + " needs --arch (" + String.join(", ", WeightsService.ARCHITECTURES) + ")");
        URI url;
        try {
            url = new URI(s);
        } catch (URISyntaxException e) {
            throw FoveaException.invalid("source '" + source + "' is not a URL: " + e.getReason());
        }
        return of(url, arch, null);
    }

    private static Source of(URI url, String arch, String defaultName) {
        String path = url.getPath() == null ? "" : url.getPath();
        String file = path.substring(path.lastIndexOf('/') + 1);
        if (!file.matches("[A-Za-z0-9._-]{1,200}")) {
            throw FoveaException.invalid("URL " + url + " does not end in a file name Fovea can save under (letters, digits, . _ -)");
        }
        Matcher m = HASHED_NAME.matcher(file);
        return new Source(arch, url, m.matches() ? m.group(1) : null, file, defaultName);
    }
}
