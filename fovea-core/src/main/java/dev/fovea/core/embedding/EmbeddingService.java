package dev.fovea.core.embedding;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.ImageSource;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.TrainedModel;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Image embeddings: what a chosen network's last layer takes, one vector per (image, network), computed once,
 * stored and reused. The project's network is a reference ({@code run:7}, {@code model:birds@production},
 * {@code weights:resnet18-imagenet}); vectors are stored under that reference and the first 12 hex digits of the
 * SHA-256 of the network's weights, so an alias that moves to another version gets new vectors, never mixed ones.
 */
public final class EmbeddingService {
    /** Images per call of the network; each batch is stored at once, so a killed run keeps what it computed. */
    private static final int BATCH = 64;

    private final ImageStore images;
    private final CurationStore curation;
    private final TrainingService training;
    private final ImageSource decode;
    private final CheckService checks;

    private final DatasetService datasets;

    public EmbeddingService(ImageStore images, CurationStore curation, CheckService checks, DatasetService datasets,
            TrainingService training, ImageSource decode) {
        this.datasets = datasets;
        this.checks = checks;
        this.images = images;
        this.curation = curation;
        this.training = training;
        this.decode = decode;
    }

    /** How computing goes, from the calling thread. */
    public interface Progress {
        default void started(String network, int missing, int total) {}

        default void computed(int done, int missing) {}
    }

    /** The project's embeddings from one network: the reference, its storage key, and the vectors by SHA-256. */
    public record Vectors(String network, String key, Map<String, float[]> bySha256) {
        public int dimensions() {
            return bySha256.isEmpty() ? 0 : bySha256.values().iterator().next().length;
        }
    }

    /** What one computing run did. */
    public record Computed(Vectors vectors, int computedNow, Duration elapsed) {}

    /** The project's chosen network, if any. */
    public Optional<String> network(Project project) {
        return curation.embeddingNetwork(project.id());
    }

    /**
     * Computes the embedding of every image that has none yet from {@code network} (null: the project's chosen
     * one); a network given is then stored as the project's choice.
     */
    public Computed compute(Project project, String network, Progress progress) {
        long start = System.nanoTime();
        String ref = network != null && !network.isBlank() ? network.trim() : network(project).orElseThrow(() ->
                FoveaException.invalid("project '" + project.name() + "' has no embedding network yet; choose one with"
                        + " --network run:ID, model:NAME@ALIAS or weights:NAME"));
        TrainedModel model = training.trainedModel(ref);
        String key = key(ref, model);
        Map<String, float[]> stored = curation.embeddings(project.id(), key);
        List<String> missing = new ArrayList<>();
        for (String sha : images.sourcePaths(project.id()).keySet()) if (!stored.containsKey(sha)) missing.add(sha);
        progress.started(ref, missing.size(), missing.size() + stored.size());
        if (!missing.isEmpty()) {
            try (Predictor predictor = training.engine().load(model)) {
                for (int from = 0; from < missing.size(); from += BATCH) {
                    List<String> batch = missing.subList(from, Math.min(missing.size(), from + BATCH));
                    List<BufferedImage> pixels = new ArrayList<>(batch.size());
                    for (String sha : batch) pixels.add(decode.load(sha));
                    float[][] rows = predictor.embeddings(pixels);
                    Map<String, float[]> computed = new java.util.LinkedHashMap<>();
                    for (int i = 0; i < batch.size(); i++) computed.put(batch.get(i), rows[i]);
                    curation.putEmbeddings(project.id(), key, computed);
                    stored.putAll(computed);
                    progress.computed(from + batch.size(), missing.size());
                }
            }
        }
        // Chosen only once it gave embeddings: a network that cannot (an imported ONNX model) is not left as the choice.
        if (network != null && !network.isBlank()) curation.saveEmbeddingNetwork(project.id(), ref);
        return new Computed(new Vectors(ref, key, stored), missing.size(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** Neighbours each image's outlier score averages over. */
    static final int NEIGHBOURS = 10;
    /** Robust standard deviations above the median score at which an image is an outlier. */
    static final double CUTOFF = 4;

    /** The outlier check on these vectors: replaces the project's {@code outlier} flags; returns what it found. */
    public Outliers.Result outliers(Project project, Vectors vectors) {
        List<String> shas = new ArrayList<>(vectors.bySha256().keySet());
        List<float[]> rows = new ArrayList<>(shas.size());
        Map<String, String> labelled = datasets.labelled(project);
        int[] labels = new int[shas.size()];
        for (int i = 0; i < shas.size(); i++) {
            rows.add(vectors.bySha256().get(shas.get(i)));
            labels[i] = project.classes().indexOf(labelled.getOrDefault(shas.get(i), ""));
        }
        Outliers.Result result = Outliers.find(rows, labels, NEIGHBOURS, CUTOFF);
        Map<String, Flag> flags = new java.util.LinkedHashMap<>();
        for (Outliers.Outlier o : result.outliers()) {
            flags.put(shas.get(o.index()), new Flag(Flag.Name.OUTLIER, Math.max(0, Math.min(1, 1 - CUTOFF / o.deviations())),
                    explanation(o, result, vectors.network(), !labelled.isEmpty()), null, null, o.rank()));
        }
        checks.replaceFlags(project, Flag.Name.OUTLIER, flags);
        return result;
    }

    private static String explanation(Outliers.Outlier o, Outliers.Result r, String network, boolean byClass) {
        return byClass
                ? String.format(java.util.Locale.ROOT, "Unlike every class of this project: %.1f from the nearest class"
                        + " (Mahalanobis distance in %s embeddings), where half of the project's pictures are within"
                        + " %.1f of theirs. Outlier %d of %d.", o.distance(), network,
                        r.medianDistance(), o.rank(), r.outliers().size())
                : String.format(java.util.Locale.ROOT, "Unlike the rest of this project: its %d nearest pictures are %.3f"
                        + " away on average (cosine distance of %s embeddings), where half of the project's pictures have"
                        + " theirs within %.3f. Outlier %d of %d.", NEIGHBOURS, o.distance(), network, r.medianDistance(),
                        o.rank(), r.outliers().size());
    }

    static String key(String ref, TrainedModel model) {
        return ref + "#" + Sha256.hex(model.weights()).substring(0, 12);
    }
}
