package dev.fovea.core.imports;

import dev.fovea.core.image.Thumbnails;
import dev.fovea.core.image.ImageDecoder;
import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.checks.ImageMetrics;
import dev.fovea.core.checks.MetricsCalculator;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.image.ImageRejectedException;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.RejectReason;
import dev.fovea.core.image.Rejection;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Locale;
import java.util.UUID;

/**
 * Turns one file's bytes into a stored image, or a rejection with a reason. The one path every image takes into
 * Fovea: the folder and zip import, and (later) the HTTP upload.
 *
 * <p>Work is split in two so that an import can run the expensive half on many threads and still record files
 * in a fixed order: {@link #prepare} (hash, decode, thumbnail, blobs; safe to run concurrently, writes only
 * content-addressed blobs) and {@link #commit} (the database rows, one file at a time).
 */
public final class ImageIngest {
    private final ImageStore images;
    private final BlobStore blobs;
    private final CurationStore curation;
    private final ImageDecoder decoder;
    private final ImportLimits limits;
    private final Clock clock;
    private final ImportTimings timings = new ImportTimings();

    public ImageIngest(ImageStore images, BlobStore blobs, CurationStore curation, ImportLimits limits, Clock clock) {
        this.images = images;
        this.blobs = blobs;
        this.curation = curation;
        this.limits = limits;
        this.decoder = new ImageDecoder(limits.maxPixels(), limits.decodeBudget());
        this.clock = clock;
    }

    public ImportTimings timings() {
        return timings;
    }

    public ImportLimits limits() {
        return limits;
    }

    /** The result of the concurrent half: either a rejection, or a hash with (for bytes new to the project) a new image. */
    record Prepared(String path, String sha256, StoredImage newImage, ImageMetrics metrics, Rejection rejection) {}

    /** Reads a stream up to the file size limit; longer streams are rejected without reading them to the end. */
    public byte[] readLimited(String path, InputStream in) throws IOException {
        return readLimited(path, in, limits.maxFileBytes(), "import.max_file_bytes");
    }

    /** Reads a stream up to {@code maxBytes}, named by {@code setting} in the rejection message. */
    public byte[] readLimited(String path, InputStream in, long maxBytes, String setting) throws IOException {
        long start = System.nanoTime();
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) != -1) {
                total += n;
                if (total > maxBytes) {
                    throw new ImageRejectedException(RejectReason.TOO_LARGE, String.format(Locale.ROOT,
                            "'%s' is larger than the limit of %d bytes (%s)", path, maxBytes, setting));
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            timings.addRead(System.nanoTime() - start);
        }
    }

    Prepared prepare(UUID projectId, String path, byte[] bytes, String label) {
        long t0 = System.nanoTime();
        String sha = Sha256.hex(bytes);
        long t1 = System.nanoTime();
        timings.addHash(t1 - t0);
        if (images.find(projectId, sha).isPresent()) {
            return new Prepared(path, sha, null, null, null); // known bytes: no need to decode them again
        }
        // Only what is derived leaves the lambda: the pixels must be garbage once the budget is given back.
        record Derived(dev.fovea.core.image.ImageFormat format, int width, int height, byte[] thumbnail, ImageMetrics metrics) {}
        Derived derived;
        long[] marks = new long[2];
        try {
            // The thumbnail and the metrics read the pixels, so they are made while the decode budget is held.
            derived = decoder.decode(bytes, decoded -> {
                marks[0] = System.nanoTime();
                byte[] thumbnail = Thumbnails.jpeg(decoded.pixels(), Thumbnails.DEFAULT_SIZE);
                marks[1] = System.nanoTime();
                return new Derived(decoded.format(), decoded.width(), decoded.height(), thumbnail,
                        MetricsCalculator.measure(decoded.pixels()));
            });
        } catch (ImageRejectedException e) {
            timings.addDecode(System.nanoTime() - t1);
            return new Prepared(path, null, null, null, new Rejection(path, e.reason(), e.getMessage(), clock.instant()));
        }
        long t3 = System.nanoTime();
        timings.addDecode(marks[0] - t1);
        timings.addThumbnail(marks[1] - marks[0]);
        timings.addMeasure(t3 - marks[1]);
        byte[] thumbnail = derived.thumbnail();
        ImageMetrics metrics = derived.metrics();
        blobs.put(sha, bytes);
        String thumbSha = blobs.put(thumbnail);
        timings.addStore(System.nanoTime() - t3);
        StoredImage image = new StoredImage(projectId, sha, derived.format(), derived.width(), derived.height(),
                bytes.length, thumbSha, label, clock.instant());
        return new Prepared(path, sha, image, metrics, null);
    }

    IngestOutcome commit(Project project, Prepared prepared, String label) {
        long start = System.nanoTime();
        try {
            if (prepared.rejection() != null) {
                images.reject(project.id(), prepared.rejection());
                return IngestOutcome.rejected(prepared.rejection());
            }
            ImageSource source = new ImageSource(prepared.path(), label, clock.instant());
            IngestOutcome.Status status;
            if (prepared.newImage() != null && images.add(prepared.newImage(), source)) {
                status = IngestOutcome.Status.CREATED;
                curation.putMetrics(project.id(), prepared.sha256(), prepared.metrics());
            } else {
                status = images.addSource(project.id(), prepared.sha256(), source)
                        ? IngestOutcome.Status.DUPLICATE : IngestOutcome.Status.UNCHANGED;
            }
            images.clearRejection(project.id(), prepared.path());
            return new IngestOutcome(prepared.path(), status, prepared.sha256(), null);
        } finally {
            timings.addStore(System.nanoTime() - start);
        }
    }

    /** Both halves for one file, as an upload needs them. The label must be one of the project's classes. */
    public IngestOutcome ingest(Project project, String path, byte[] bytes, String label) {
        if (label != null && !project.hasClass(label)) {
            throw FoveaException.invalid("label '" + label + "' is not a class of project '" + project.name()
                    + "' (classes: " + String.join(", ", project.classes()) + ")");
        }
        return commit(project, prepare(project.id(), path, bytes, label), label);
    }

    Rejection rejection(String path, RejectReason reason, String message) {
        return new Rejection(path, reason, message, clock.instant());
    }
}
