package dev.fovea.core.imports;

import dev.fovea.core.FoveaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Lists the files of a folder tree or a zip, sorted by path so that imports are repeatable. A file's label is the
 * first folder under the root; for a zip whose entries all sit in one top folder, the folder below it.
 * Operating-system litter (dot files, {@code __MACOSX}, {@code Thumbs.db}) is skipped.
 */
final class CandidateFinder {
    private static final Set<String> LITTER = Set.of("thumbs.db", "desktop.ini", "__macosx");

    private CandidateFinder() {}

    /** An opened source: its candidates, and the zip to close afterwards (null for a folder). */
    record Found(List<Candidate> candidates, int skipped, AutoCloseable resource) {}

    static Found find(Path root) {
        if (!Files.exists(root)) {
            throw FoveaException.notFound("import path '" + root + "' does not exist");
        }
        try {
            if (Files.isDirectory(root)) return folder(root);
            if (root.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) return zip(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read import path '" + root + "': " + e.getMessage(), e);
        }
        throw FoveaException.invalid("import path '" + root + "' is neither a folder nor a .zip file");
    }

    private static Found folder(Path root) throws IOException {
        Path realRoot = root.toRealPath();
        List<Candidate> candidates = new ArrayList<>();
        int[] skipped = {0};
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root)).sorted(Comparator.comparing(p -> relative(root, p))).forEach(p -> {
                String rel = relative(root, p);
                if (isLitter(rel)) {
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) skipped[0]++;
                    return;
                }
                if (Files.isSymbolicLink(p)) {
                    Path target;
                    try {
                        target = p.toRealPath();
                    } catch (IOException e) {
                        candidates.add(Candidate.unsafe(rel, "it is a symbolic link to a missing file"));
                        return;
                    }
                    if (!target.startsWith(realRoot)) {
                        candidates.add(Candidate.unsafe(rel, "it is a symbolic link leading out of the imported folder"
                                + " (to " + target + ")"));
                        return;
                    }
                    if (Files.isDirectory(target)) return; // its files are reached under their real path
                    candidates.add(new Candidate(rel, labelOf(rel, 0), () -> Files.newInputStream(target), null));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    candidates.add(new Candidate(rel, labelOf(rel, 0), () -> Files.newInputStream(p), null));
                }
            });
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot list import folder '" + root + "': " + e.getCause().getMessage(),
                    e.getCause());
        }
        return new Found(candidates, skipped[0], null);
    }

    private static Found zip(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (java.util.zip.ZipException e) {
            throw FoveaException.invalid("'" + file + "' is not a readable zip file: " + e.getMessage());
        }
        List<ZipEntry> entries = new ArrayList<>();
        zip.stream().filter(e -> !e.isDirectory()).forEach(entries::add);
        entries.sort(Comparator.comparing(ZipEntry::getName));
        int depth = commonTopFolder(entries) ? 1 : 0;
        List<Candidate> candidates = new ArrayList<>();
        int skipped = 0;
        for (ZipEntry entry : entries) {
            String name = entry.getName().replace('\\', '/');
            if (isUnsafeZipName(name)) {
                candidates.add(Candidate.unsafe(name, "the zip entry's path is absolute or climbs out with '..'"));
            } else if (isLitter(name)) {
                skipped++;
            } else {
                candidates.add(new Candidate(name, labelOf(name, depth), () -> zip.getInputStream(entry), null));
            }
        }
        return new Found(candidates, skipped, zip);
    }

    static boolean isUnsafeZipName(String name) {
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) return true;
        for (String part : name.split("/")) {
            if (part.equals("..")) return true;
        }
        return false;
    }

    private static boolean commonTopFolder(List<ZipEntry> entries) {
        String top = null;
        for (ZipEntry e : entries) {
            String name = e.getName().replace('\\', '/');
            if (isLitter(name)) continue;
            int slash = name.indexOf('/');
            if (slash <= 0) return false;
            String first = name.substring(0, slash);
            if (top == null) top = first;
            else if (!top.equals(first)) return false;
        }
        return top != null;
    }

    private static String labelOf(String relativePath, int depth) {
        String[] parts = relativePath.split("/");
        return parts.length > depth + 1 ? parts[depth] : null;
    }

    private static boolean isLitter(String relativePath) {
        for (String part : relativePath.split("/")) {
            if (part.startsWith(".") || LITTER.contains(part.toLowerCase(Locale.ROOT))) return true;
        }
        return false;
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }
}
