package dev.fovea.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The published-weights fixtures that {@code scripts/make-weights-fixtures.py} makes with Debian's PyTorch and
 * torchvision (random ResNet-18 and MobileNetV2 weights with trained batch-norm statistics as .pth, legacy .pth and
 * .safetensors, their logits on 8 Fashion-MNIST images, a ResNet-18 trained on classes 0-4, and 100 image files
 * with PyTorch's predictions). ResNet-18 alone is 45 MB, too big to commit: they are made once per checkout, in
 * {@code target/weights-fixtures} at the repository's root, and reused while the script's bytes are unchanged.
 */
public final class WeightsFixtures {
    private static final String SCRIPT = "scripts/make-weights-fixtures.py";
    private static Path dir;

    private WeightsFixtures() {}

    /** The fixtures folder, made first if needed (about a minute); fails naming what is missing. */
    public static synchronized Path dir() {
        if (dir != null) return dir;
        Path root = root();
        Path out = root.resolve("target").resolve("weights-fixtures");
        try {
            Files.createDirectories(out.getParent());
            Path lock = out.getParent().resolve("weights-fixtures.lock");
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) { // two test JVMs (modules) may ask at once
                Path done = out.resolve("DONE");
                String stamp = "script sha256 " + dev.fovea.core.blob.Sha256.hex(Files.readAllBytes(root.resolve(SCRIPT)));
                if (!Files.isRegularFile(done) || !Files.readString(done).contains(stamp)) make(root, out, stamp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dir = out;
        return out;
    }

    private static void make(Path root, Path out, String stamp) throws IOException {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            throw new IllegalStateException("the weights fixtures need Debian's /usr/bin/python3 with python3-torch and "
                    + "python3-torchvision (scripts/install-test-deps.sh installs them)");
        }
        Path log = out.resolveSibling("weights-fixtures.log");
        Process p = new ProcessBuilder(python.toString(), root.resolve(SCRIPT).toString(), out.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(SCRIPT + " ran over 10 minutes; see " + log);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the weights fixtures");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(SCRIPT + " failed with status " + p.exitValue() + ":\n" + Files.readString(log));
        }
        Files.writeString(out.resolve("DONE"), Files.readString(out.resolve("DONE")) + "\n" + stamp + "\n");
    }

    /** The repository's root: the first folder up from here with the fixture script. */
    public static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(SCRIPT))) return p;
        }
        throw new IllegalStateException(SCRIPT + " not found above " + Path.of("").toAbsolutePath());
    }

    /** A little-endian float32 file as floats. */
    public static float[] floats(Path file) {
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
