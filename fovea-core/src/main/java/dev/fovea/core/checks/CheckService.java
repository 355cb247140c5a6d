package dev.fovea.core.checks;

import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.image.ImageRejectedException;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.ImageDecoder;
import dev.fovea.core.project.Project;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the automatic checks on a project: measures the images that have no metrics yet (decoding their stored
 * bytes, on several threads), applies {@link FlagRules} with the project's thresholds, and stores the flags.
 */
public final class CheckService {
    private static final Logger LOG = LoggerFactory.getLogger(CheckService.class);
    private final ImageStore images;
    private final BlobStore blobs;
    private final CurationStore curation;
    private final ImageDecoder decoder;
    private final int threads;
    private final Clock clock;

    public CheckService(ImageStore images, BlobStore blobs, CurationStore curation, long maxPixels, int threads, Clock clock) {
        this(images, blobs, curation, maxPixels, dev.fovea.core.image.DecodeBudget.unlimited(), threads, clock);
    }

    /** Decoding within the process's shared decode budget. */
    public CheckService(ImageStore images, BlobStore blobs, CurationStore curation, long maxPixels,
            dev.fovea.core.image.DecodeBudget budget, int threads, Clock clock) {
        this.images = images;
        this.blobs = blobs;
        this.curation = curation;
        this.decoder = new ImageDecoder(maxPixels, budget);
        this.threads = threads;
        this.clock = clock;
    }

    /** What one run found: the flags by image, every image's source paths (first = original), and counts. */
    public record Report(Project project, int images, int measuredNow, Map<String, List<Flag>> flags,
            Map<String, List<String>> sourcePaths, Duration elapsed) {
        public String pathOf(String sha256) {
            List<String> paths = sourcePaths.get(sha256);
            return paths == null || paths.isEmpty() ? sha256 : paths.get(0);
        }
    }

    public CheckThresholds thresholds(Project project) {
        return CheckThresholds.fromMap(curation.thresholds(project.id()));
    }

    /** Validates and stores threshold overrides (keys of {@link CheckThresholds#toMap()}); returns the result. */
    public CheckThresholds saveThresholds(Project project, Map<String, String> overrides) {
        CheckThresholds merged = CheckThresholds.fromMap(overrides);
        curation.saveThresholds(project.id(), overrides);
        return merged;
    }

    public Report run(Project project) {
        long start = System.nanoTime();
        Map<String, List<String>> sources = images.sourcePaths(project.id());
        Map<String, ImageMetrics> metrics = curation.metrics(project.id());
        List<String> missing = sources.keySet().stream().filter(sha -> !metrics.containsKey(sha)).toList();
        int measured = measure(project, missing, metrics);
        List<FlagRules.Measured> measuredImages = new ArrayList<>();
        sources.forEach((sha, paths) -> {
            ImageMetrics m = metrics.get(sha);
            if (m != null) measuredImages.add(new FlagRules.Measured(sha, paths.get(0), m, paths.subList(1, paths.size())));
        });
        Map<String, List<Flag>> flags = FlagRules.apply(measuredImages, thresholds(project));
        // A slower check's flags (likely_mislabelled) stay until that check runs again.
        curation.flags(project.id()).forEach((sha, list) -> list.stream().filter(f -> !f.name().fromPlainChecks())
                .forEach(f -> flags.computeIfAbsent(sha, k -> new ArrayList<>()).add(f)));
        curation.replaceFlags(project.id(), flags, clock.instant());
        return new Report(project, sources.size(), measured, flags, sources, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Replaces the project's flags of one slower check ({@code likely_mislabelled}) with these, one per image,
     * keeping every other flag as the last checks left it.
     */
    public void replaceFlags(Project project, Flag.Name name, Map<String, Flag> found) {
        if (name.fromPlainChecks()) throw new IllegalArgumentException(name.word() + " flags come from the plain checks");
        Map<String, List<Flag>> flags = new java.util.LinkedHashMap<>();
        curation.flags(project.id()).forEach((sha, list) -> {
            List<Flag> kept = list.stream().filter(f -> f.name() != name).toList();
            if (!kept.isEmpty()) flags.put(sha, new ArrayList<>(kept));
        });
        found.forEach((sha, f) -> flags.computeIfAbsent(sha, k -> new ArrayList<>()).add(f));
        curation.replaceFlags(project.id(), flags, curation.checkedAt(project.id()).orElse(clock.instant()));
    }

    private int measure(Project project, List<String> shas, Map<String, ImageMetrics> into) {
        if (shas.isEmpty()) return 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fovea-check");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Optional<ImageMetrics>>> futures = new ArrayList<>();
            for (String sha : shas) futures.add(pool.submit(() -> measureOne(project, sha)));
            int done = 0;
            for (int i = 0; i < shas.size(); i++) {
                Optional<ImageMetrics> m = futures.get(i).get();
                if (m.isPresent()) {
                    curation.putMetrics(project.id(), shas.get(i), m.get());
                    into.put(shas.get(i), m.get());
                    done++;
                }
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("checks of project '" + project.name() + "' were interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("measuring an image of project '" + project.name() + "' failed: "
                    + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private Optional<ImageMetrics> measureOne(Project project, String sha) {
        Optional<byte[]> bytes = blobs.get(sha);
        if (bytes.isEmpty()) {
            LOG.warn("project '{}': image {} has no stored bytes; it is left out of the checks", project.name(), sha);
            return Optional.empty();
        }
        try {
            return Optional.of(decoder.decode(bytes.get(), d -> MetricsCalculator.measure(d.pixels())));
        } catch (ImageRejectedException e) {
            LOG.warn("project '{}': image {} no longer decodes ({}); it is left out of the checks", project.name(), sha,
                    e.getMessage());
            return Optional.empty();
        }
    }
}
