package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An operating-system lock on a run's checkpoint folder, held while the run trains. The OS drops it when the
 * process dies, however it dies, so a run whose status says {@code running} but whose lock is free was killed
 * and may be resumed; one whose lock is held is still training.
 */
final class RunLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates the run folder and any missing parents (the workspace's {@code runs}) as 0700: checkpoints are the
     * workspace's data too, and their files get whatever mode the umask gives, so the folder is the fence.
     */
    private static void ownerOnlyFolders(Path dir) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir);
            return;
        }
        java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) missing.push(p);
        var mode = java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                continue; // made meanwhile by another process; its mode is its maker's
            }
            Files.setPosixFilePermissions(p, mode);
        }
    }

    static RunLock acquire(Path dir, long runId) {
        try {
            ownerOnlyFolders(dir);
            FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                ch.close();
                throw FoveaException.conflict("run " + runId + " is still training in another process on this machine");
            }
            return new RunLock(ch, l);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock run folder " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
