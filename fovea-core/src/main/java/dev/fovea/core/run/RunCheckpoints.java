package dev.fovea.core.run;

import dev.fovea.core.training.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Carries a run's checkpoint between this machine's run folder, where the engine reads and writes it, and the
 * database, where any machine finds it: after every epoch the engine's files go in ({@link #saving}), and a run
 * resumed on a machine that never ran it gets them back ({@link #restore}). Only with a shared database: an
 * embedded one lives on the machine that has the folder anyway.
 */
final class RunCheckpoints {
    private final RunStore runs;
    private final List<String> files;
    private final Clock clock;

    /** @param files the names of the engine's checkpoint files in a run's folder */
    RunCheckpoints(RunStore runs, List<String> files, Clock clock) {
        this.runs = runs;
        this.files = List.copyOf(files);
        this.clock = clock;
    }

    /** A listener that stores the folder's checkpoint files after each epoch's checkpoint. */
    TrainingListener saving(long runId, Path dir) {
        return new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, boolean best) {
                Map<String, byte[]> found = new LinkedHashMap<>();
                for (String name : files) {
                    Path f = dir.resolve(name);
                    try {
                        if (Files.isRegularFile(f)) found.put(name, Files.readAllBytes(f));
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not read checkpoint file " + f + " of run " + runId, e);
                    }
                }
                if (!found.isEmpty()) runs.putCheckpoint(runId, new RunStore.Checkpoint(epoch, found), clock.instant());
            }
        };
    }

    /**
     * Writes the run's stored checkpoint into {@code dir}, replacing what is there (the database has the newest:
     * the folder may hold an older epoch from when this machine ran the run before). Each file goes to a temporary
     * name first, so a kill never leaves half a file. Returns the epoch restored, or 0 when none is stored.
     */
    int restore(long runId, Path dir) {
        var stored = runs.checkpoint(runId);
        if (stored.isEmpty()) {
            // The database is the truth: files here are another database's run of the same id (a cache shared by
            // two databases, or one that was reset), and resuming from them would skip epochs never trained.
            discard(dir, files);
            return 0;
        }
        try {
            Files.createDirectories(dir);
            for (var f : stored.get().files().entrySet()) {
                if (!files.contains(f.getKey())) continue; // another engine's file: this one would not read it
                Path target = dir.resolve(f.getKey());
                Path tmp = dir.resolve(f.getKey() + ".restore");
                Files.write(tmp, f.getValue());
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint of run " + runId + " into " + dir, e);
        }
        return stored.get().epoch();
    }

    boolean stored(long runId) {
        return runs.checkpoint(runId).isPresent();
    }

    /** Removes the engine's checkpoint files from a run's folder, so that training starts at epoch 1. */
    static void discard(Path dir, List<String> files) {
        for (String name : files) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot remove the stale checkpoint " + dir.resolve(name)
                        + " of a run that starts afresh: " + e.getMessage(), e);
            }
        }
    }
}
