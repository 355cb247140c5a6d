package dev.fovea.store;

import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.blob.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs as files under {@code root/ab/cd/abcd...}: written to a temporary file, forced to disk, then renamed into
 * place, so a blob is either whole or absent even if the process is killed mid-write. Folders are 0700 and files
 * 0600 (the temporary file is created so). A {@code .part} file that a killed process left behind is removed
 * when the store opens, once it is older than {@link #STALE_PART}: a younger one may be another process's
 * write in progress (the CLI beside a running server share the folder).
 */
public final class FileBlobStore implements BlobStore {
    static final Duration STALE_PART = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(FileBlobStore.class);
    private final Path root;

    public FileBlobStore(Path root) {
        this.root = root;
        OwnerOnly.narrowedFolder(root);
        removeStaleParts();
    }

    /** Deletes {@code .part} files older than {@link #STALE_PART}; returns how many. */
    int removeStaleParts() {
        Instant before = Instant.now().minus(STALE_PART);
        int removed = 0;
        try (Stream<Path> files = Files.walk(root, 3)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().endsWith(".part") || !Files.isRegularFile(f)) continue;
                try {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(before) && Files.deleteIfExists(f)) removed++;
                } catch (NoSuchFileException e) {
                    // renamed into place or removed by its writer meanwhile
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not look for stale .part files under {}: {}", root, e.getMessage());
        }
        if (removed > 0) LOG.info("removed {} stale .part file(s) under {} left by an interrupted write", removed, root);
        return removed;
    }

    Path pathOf(String sha256) {
        Sha256.check(sha256);
        return root.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    @Override
    public void put(String sha256, byte[] bytes) {
        Path target = pathOf(sha256);
        if (Files.exists(target)) return;
        try {
            OwnerOnly.folders(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), sha256.substring(0, 8), ".part");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) channel.write(buffer);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(temp); // another thread stored the same bytes first
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob " + sha256 + " under " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> get(String sha256) {
        try {
            return Optional.of(Files.readAllBytes(pathOf(sha256)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + sha256 + " under " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<java.io.InputStream> open(String sha256) {
        try {
            return Optional.of(Files.newInputStream(pathOf(sha256)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open blob " + sha256 + " under " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean contains(String sha256) {
        return Files.exists(pathOf(sha256));
    }

    /** Removes a blob (a cache's damaged copy, so that the next put writes it again); false when there was none. */
    boolean discard(String sha256) {
        try {
            return Files.deleteIfExists(pathOf(sha256));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove blob " + sha256 + " under " + root + ": " + e.getMessage(), e);
        }
    }

    /** Whether the stored file's bytes still hash to its name (false for a damaged or truncated file, or none). */
    boolean intact(String sha256) {
        try (java.io.InputStream in = Files.newInputStream(pathOf(sha256))) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return java.util.HexFormat.of().formatHex(digest.digest()).equals(sha256);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + sha256 + " under " + root + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
