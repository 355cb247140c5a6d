package dev.fovea.djl;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The state of a training after a finished epoch: where it stands (epoch, step, best epoch and score, epochs
 * without improvement), the settings and classes it was written with, the parameters and the optimizer state.
 * One file, {@code last.ckpt}, written to a temporary name, synced and renamed, so a kill never leaves half a
 * checkpoint; the best epoch's parameters go to {@code best.params} the same way.
 */
record Checkpoint(int epoch, long step, int bestEpoch, double bestScore, int epochsWithoutImprovement,
        Map<String, String> settings, List<String> classes, byte[] parameters, byte[] optimizer) {

    static final String LAST = "last.ckpt", BEST = "best.params";
    private static final int MAGIC = 0x46564331; // "FVC1"

    void write(Path dir) {
        Properties p = new Properties();
        p.setProperty("epoch", Integer.toString(epoch));
        p.setProperty("step", Long.toString(step));
        p.setProperty("best_epoch", Integer.toString(bestEpoch));
        p.setProperty("best_score", Double.toString(bestScore));
        p.setProperty("epochs_without_improvement", Integer.toString(epochsWithoutImprovement));
        settings.forEach((k, v) -> p.setProperty("setting." + k, v));
        for (int i = 0; i < classes.size(); i++) p.setProperty("class." + i, classes.get(i));
        p.setProperty("classes", Integer.toString(classes.size()));
        try {
            StringWriter meta = new StringWriter();
            p.store(meta, null);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(parameters.length + optimizer.length + 4096);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeUTF(meta.toString());
            out.writeInt(parameters.length);
            out.write(parameters);
            out.writeInt(optimizer.length);
            out.write(optimizer);
            out.flush();
            writeAtomically(dir.resolve(LAST), bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint to " + dir, e);
        }
    }

    /** The last checkpoint in the folder, if there is one. */
    static Optional<Checkpoint> read(Path dir) {
        Path file = dir.resolve(LAST);
        if (!Files.exists(file)) return Optional.empty();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            if (in.readInt() != MAGIC) throw new IOException("not a Fovea checkpoint");
            Properties p = new Properties();
            p.load(new StringReader(in.readUTF()));
            byte[] params = new byte[in.readInt()];
            in.readFully(params);
            byte[] opt = new byte[in.readInt()];
            in.readFully(opt);
            Map<String, String> settings = new LinkedHashMap<>();
            for (String key : TrainSettings.KEYS) {
                String v = p.getProperty("setting." + key);
                if (v != null) settings.put(key, v);
            }
            List<String> classes = new ArrayList<>();
            int n = Integer.parseInt(p.getProperty("classes"));
            for (int i = 0; i < n; i++) classes.add(p.getProperty("class." + i));
            return Optional.of(new Checkpoint(Integer.parseInt(p.getProperty("epoch")),
                    Long.parseLong(p.getProperty("step")), Integer.parseInt(p.getProperty("best_epoch")),
                    Double.parseDouble(p.getProperty("best_score")),
                    Integer.parseInt(p.getProperty("epochs_without_improvement")), settings, classes, params, opt));
        } catch (IOException | RuntimeException e) {
            throw new FoveaException("checkpoint_unreadable", "checkpoint " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
