package dev.fovea.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Workspace files for the owner alone (folders 0700, files 0600), whatever the umask: the database holds password
 * hashes and API tokens, and the H2 lock file holds the key to its server. Java cannot set the umask, so folders
 * are created with the mode and files the database writes are narrowed after it opens them. On file systems
 * without POSIX modes (Windows) nothing is changed.
 */
final class OwnerOnly {
    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerOnly() {}

    /** Creates the folder and any missing parents as 0700; folders that exist are left as they are. */
    static void folders(Path folder) {
        try {
            if (!POSIX) {
                Files.createDirectories(folder);
                return;
            }
            Path missing = folder.toAbsolutePath().normalize();
            java.util.ArrayDeque<Path> toCreate = new java.util.ArrayDeque<>();
            while (missing != null && !Files.isDirectory(missing)) {
                toCreate.push(missing);
                missing = missing.getParent();
            }
            for (Path p : toCreate) {
                try {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(FOLDER));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // another thread or process made it first
                }
                Files.setPosixFilePermissions(p, FOLDER); // the umask may have narrowed the attribute, never widened it
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create folder " + folder + " for its owner only: " + e.getMessage(), e);
        }
    }

    /** Creates the folder as {@link #folders} does, and narrows it to 0700 if it existed with a wider mode. */
    static void narrowedFolder(Path folder) {
        folders(folder);
        if (!POSIX) return;
        try {
            if (!Files.getPosixFilePermissions(folder).equals(FOLDER)) Files.setPosixFilePermissions(folder, FOLDER);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict folder " + folder + " to its owner: " + e.getMessage(), e);
        }
    }

    /** Narrows every file directly in {@code folder} (the database's files) to 0600. */
    static void filesIn(Path folder) {
        if (!POSIX || !Files.isDirectory(folder)) return;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                try {
                    if (Files.isRegularFile(f)) Files.setPosixFilePermissions(f, FILE);
                } catch (java.nio.file.NoSuchFileException e) {
                    // a temporary file the database removed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict the files in " + folder + " to their owner: " + e.getMessage(), e);
        }
    }
}
