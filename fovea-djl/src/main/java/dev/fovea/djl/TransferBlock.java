package dev.fovea.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A pretrained TorchScript backbone (mapping [N, 3, S, S] to [N, features]) with a new linear head for the
 * project's classes. A loaded TorchScript module keeps its own train/eval flag, which DJL does not switch, so
 * the block switches it: batch norm runs in eval mode while the backbone is frozen and in every evaluation, and
 * in training mode only while the backbone is fine-tuned. Saving the parameters writes the whole (fine-tuned)
 * backbone module and the head, so a trained model does not need the original file.
 */
final class TransferBlock extends AbstractBlock {
    private static final byte VERSION = 1; // a SequentialBlock (every Fovea network) writes 3
    private final PtSymbolBlock backbone;
    private final Block head;
    private final int classes;
    private boolean fineTuning;
    private Boolean backboneTrainingNow;

    private TransferBlock(PtSymbolBlock backbone, int classes) {
        super(VERSION);
        this.backbone = addChildBlock("backbone", backbone);
        this.head = addChildBlock("head", Linear.builder().setUnits(classes).build());
        this.classes = classes;
    }

    /**
     * Loads a backbone from a TorchScript file into {@code owner} (the model whose manager keeps it alive) and checks
     * that it takes 3-channel {@code size} x {@code size} input and returns [N, features].
     */
    static TransferBlock load(Model owner, Path file, int classes, int size) {
        if (!Files.isRegularFile(file)) throw FoveaException.notFound("backbone file " + file + " does not exist");
        PtSymbolBlock backbone;
        try (Model loader = Model.newInstance("backbone", Device.cpu(), "PyTorch")) {
            // trainParam: the parameters must take gradients (a frozen backbone loaded without them fails in training)
            loader.load(file.toAbsolutePath().getParent(), file.getFileName().toString(), Map.of("trainParam", "true", "mapLocation", "true"));
            backbone = (PtSymbolBlock) loader.getBlock();
            PtSymbolBlock moved = new PtSymbolBlock((PtNDManager) owner.getNDManager());
            Weights.load(moved, owner.getNDManager(), Weights.of(backbone));
            backbone = moved;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw FoveaException.invalid("backbone " + file + " is not a TorchScript model: " + e.getMessage());
        }
        TransferBlock block = new TransferBlock(backbone, classes);
        block.featuresOf(owner.getNDManager(), new Shape(1, 3, size, size), file.toString());
        return block;
    }

    /** Whether saved weights are a TransferBlock's (whose version byte comes first) rather than a Fovea network's. */
    static boolean holds(byte[] weights) {
        return weights.length > 0 && weights[0] == VERSION;
    }

    /**
     * The backbone of a trained transfer model (as fine-tuned there) with a new head for {@code classes}: a run
     * that starts from a Fovea model which itself started from a TorchScript file.
     */
    static TransferBlock retrained(Model owner, TrainedModel source, int classes, int size) {
        TransferBlock trained = empty(owner.getNDManager(), source.classes().size());
        Weights.load(trained, owner.getNDManager(), source.weights());
        TransferBlock block = new TransferBlock(trained.backbone, classes);
        block.featuresOf(owner.getNDManager(), new Shape(1, 3, size, size), "the backbone of " + source.settings().from());
        return block;
    }

    /** An empty block to load trained parameters into (prediction). */
    static TransferBlock empty(NDManager manager, int classes) {
        return new TransferBlock(new PtSymbolBlock((PtNDManager) manager), classes);
    }

    /** Fine-tuning puts the backbone's batch norm in training mode for training passes; frozen keeps it in eval mode. */
    void fineTune(boolean on) {
        this.fineTuning = on;
    }

    /** The backbone's parameters, for the optimizer to leave alone while frozen. */
    Set<Parameter> backboneParameters() {
        return Set.copyOf(backbone.getParameters().values());
    }

    /** The backbone's features of a batch, in eval mode (the head's input). */
    NDList features(ParameterStore ps, NDList inputs) {
        mode(false);
        return backbone.forward(ps, inputs, false);
    }

    private long featuresOf(NDManager manager, Shape input, String name) {
        mode(false);
        try (NDManager m = manager.newSubManager()) {
            JniUtils.setGradMode(false);
            NDArray out;
            try {
                out = backbone.forward(new ParameterStore(m, false), new NDList(m.zeros(input)), false).singletonOrThrow();
            } catch (RuntimeException e) {
                throw FoveaException.invalid("backbone " + name + " does not accept 3-channel " + input.get(2) + "x"
                        + input.get(3) + " input: " + e.getMessage());
            }
            if (out.getShape().dimension() != 2) {
                throw FoveaException.invalid("backbone " + name + " outputs shape " + out.getShape() + " for one image; a new "
                        + "head needs [N, features]: export the network without its classifier (head replaced by identity,"
                        + " after global pooling and flattening)");
            }
            return out.getShape().get(1);
        }
    }

    private void mode(boolean training) {
        if (backboneTrainingNow != null && backboneTrainingNow == training) return;
        if (training) JniUtils.enableTrainingMode(backbone);
        else JniUtils.enableInferenceMode(backbone);
        backboneTrainingNow = training;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        mode(training && fineTuning);
        NDList features = backbone.forward(ps, inputs, training, params);
        return head.forward(ps, features, training, params);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long features = featuresOf(manager, new Shape(1, inputShapes[0].get(1), inputShapes[0].get(2), inputShapes[0].get(3)), "backbone");
        head.initialize(manager, dataType, new Shape(inputShapes[0].get(0), features));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }
}
