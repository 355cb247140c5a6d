package dev.fovea.core.weights;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Published weights: installed from a file (a PyTorch state dict or safetensors), listed, removed, and handed to
 * training ({@code from: weights:NAME}) as a trained model of their architecture.
 */
public final class WeightsService {
    /** The architectures that published weights load into (those with torchvision's layout). */
    public static final List<String> ARCHITECTURES = List.of("resnet18", "resnet34", "resnet50", "mobilenet-v2");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final WeightsStore store;
    private final BlobStore blobs;
    private final WeightsConverter converter;
    private final Clock clock;

    public WeightsService(WeightsStore store, BlobStore blobs, WeightsConverter converter, Clock clock) {
        this.store = store;
        this.blobs = blobs;
        this.converter = converter;
        this.clock = clock;
    }

    /**
     * Reads {@code file} into a network of {@code arch} and installs it as {@code name}; nothing is stored when the
     * file does not fit. {@code source} says where it came from (a URL, or the file's name).
     */
    public PublishedWeights install(Path file, String name, String arch, boolean partial, Preprocessing preprocessing,
            String source) {
        checkName(name);
        if (!ARCHITECTURES.contains(arch)) {
            throw FoveaException.invalid("--arch '" + arch + "': published weights load into " + String.join(", ", ARCHITECTURES));
        }
        checkFree(name);
        if (!Files.isRegularFile(file)) throw FoveaException.notFound("weights file " + file + " does not exist");
        String fileSha = sha256(file);
        long fileBytes;
        try {
            fileBytes = Files.size(file);
        } catch (IOException e) {
            throw FoveaException.invalid("weights file " + file + " cannot be read: " + e.getMessage());
        }
        WeightsConverter.Conversion c = converter.convert(file, arch, partial, 0);
        String blob = blobs.put(c.weights());
        PublishedWeights w = new PublishedWeights(name, arch, c.tensors(), c.skipped(), c.headClasses(),
                c.networkClasses(), preprocessing, blob, c.weights().length, source, fileSha, fileBytes, c.format(),
                clock.instant());
        store.create(w);
        return w;
    }

    /** Refuses a name that is not valid or is taken, before a download or a read of a large file. */
    public void checkFree(String name) {
        checkName(name);
        if (store.find(name).isPresent()) {
            throw FoveaException.conflict("weights '" + name + "' are installed already (fovea weights remove " + name
                    + " first, or choose another --name)");
        }
    }

    public List<PublishedWeights> list() {
        return store.list();
    }

    /**
     * The installed weights a run that names no network starts from: the first architecture in the order of
     * {@link #ARCHITECTURES} (ResNet-18 first, the smallest ResNet), then the oldest install; empty when none is
     * installed.
     */
    public java.util.Optional<dev.fovea.core.training.TrainingDefaults.Backbone> backbone() {
        return store.list().stream()
                .filter(w -> ARCHITECTURES.contains(w.arch()))
                .min(java.util.Comparator.<PublishedWeights>comparingInt(w -> ARCHITECTURES.indexOf(w.arch()))
                        .thenComparing(PublishedWeights::createdAt))
                .map(w -> new dev.fovea.core.training.TrainingDefaults.Backbone(w.name(), w.arch(),
                        w.preprocessing().inputSize()));
    }

    public PublishedWeights require(String name) {
        return store.find(name).orElseThrow(() -> FoveaException.notFound("weights '" + name + "' are not installed"
                + (store.list().isEmpty() ? " (none are: fovea weights import FILE --arch ARCH --name NAME)"
                        : " (installed: " + String.join(", ", store.list().stream().map(PublishedWeights::name).toList()) + ")")));
    }

    public boolean remove(String name) {
        return store.remove(name);
    }

    /**
     * The installed network as a trained model, for a run that starts from it: its architecture, a placeholder
     * class per output of its head (the run replaces the head), and the preprocessing it was trained with.
     */
    public TrainedModel trainedModel(String name) {
        PublishedWeights w = require(name);
        byte[] weights = blobs.get(w.blobSha256()).orElseThrow(() -> FoveaException.notFound("the network of weights '"
                + name + "' (blob " + w.blobSha256() + ") is missing from the blob store"));
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < w.networkClasses(); i++) classes.add("output-" + i);
        TrainSettings settings = TrainSettings.DEFAULTS.with(Map.of("arch", w.arch(),
                "input_size", w.preprocessing().inputSize()));
        return new TrainedModel(settings, classes, w.preprocessing(), weights, 0, 0, false, 0);
    }

    /** What a run from {@code name} takes unless it sets them: architecture, input size, mean and std. */
    public Map<String, String> runSettings(String name) {
        PublishedWeights w = require(name);
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("arch", w.arch());
        m.put("input_size", Integer.toString(w.preprocessing().inputSize()));
        m.put("mean", Preprocessing.floats(w.preprocessing().mean()));
        m.put("std", Preprocessing.floats(w.preprocessing().std()));
        return m;
    }

    /**
     * A network someone trained in PyTorch (head included) as a model bundle of Fovea's own format: every tensor
     * must fit {@code arch} with a head of {@code classes.size()} outputs. Its preprocessing resizes as torchvision
     * does ({@link Preprocessing#ANTIALIASED}) unless {@code preprocessing} says otherwise.
     */
    public dev.fovea.core.model.ModelBundle stateDictModel(Path file, String arch, List<String> classes,
            Preprocessing preprocessing) {
        if (!ARCHITECTURES.contains(arch)) {
            throw FoveaException.invalid("--arch '" + arch + "': a state dict loads into " + String.join(", ", ARCHITECTURES));
        }
        if (!Files.isRegularFile(file)) throw FoveaException.notFound("state dict file " + file + " does not exist");
        WeightsConverter.Conversion c = converter.convert(file, arch, false, classes.size());
        Map<String, String> settings = TrainSettings.DEFAULTS.with(Map.of("arch", arch,
                "input_size", preprocessing.inputSize(), "mean", Preprocessing.floats(preprocessing.mean()),
                "std", Preprocessing.floats(preprocessing.std()))).toMap();
        Map<String, String> provenance = new java.util.LinkedHashMap<>();
        provenance.put("imported_format", "state-dict");
        provenance.put("file_format", c.format());
        provenance.put("file", file.getFileName().toString());
        provenance.put("file_sha256", sha256(file));
        provenance.put("tensors", Integer.toString(c.tensors()));
        return new dev.fovea.core.model.ModelBundle("fovea", classes, preprocessing, true, settings, provenance, c.weights());
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw FoveaException.invalid("weights name '" + name + "' must be 1-63 of a-z, 0-9, '.', '_', '-', starting"
                    + " with a letter or digit");
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw FoveaException.invalid("weights file " + file + " cannot be read: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
