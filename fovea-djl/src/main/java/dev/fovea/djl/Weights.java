package dev.fovea.djl;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.fovea.core.FoveaException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A network's parameters as bytes, in DJL's own format: what a {@link Checkpoint} and a trained model hold, and
 * what the trainer, the predictor and transfer learning load back into a network of the same shape.
 */
final class Weights {
    private Weights() {}

    static byte[] of(Block block) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            block.saveParameters(new DataOutputStream(out));
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads saved weights into {@code block}; weights of another network are a clear error, not a crash. */
    static void load(Block block, NDManager manager, byte[] bytes) {
        try {
            block.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException | MalformedModelException | IllegalArgumentException e) {
            throw new FoveaException("weights_mismatch", "saved weights do not fit the network: " + e.getMessage(), e);
        }
    }
}
