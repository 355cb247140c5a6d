package dev.fovea.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainSettings;
import java.util.List;

/** The networks Fovea trains, built as DJL blocks. */
public final class Networks {
    private Networks() {}

    /** The network of the settings' architecture with {@code classes} outputs (logits). */
    public static Block build(TrainSettings s, int classes) {
        return switch (s.arch()) {
            case "small-cnn" -> smallCnn(s.cnnChannels(), s.cnnBlocks(), classes);
            case "resnet18" -> resnet18(classes);
            default -> throw FoveaException.invalid("architecture '" + s.arch() + "' is not one of "
                    + String.join(", ", TrainSettings.ARCHITECTURES));
        };
    }

    /** The smallest input side the architecture accepts. */
    public static int minimumInputSize(TrainSettings s) {
        return switch (s.arch()) {
            case "small-cnn" -> 1 << s.cnnBlocks(); // one 2x2 max-pool per block
            case "resnet18" -> 32; // five halvings down to 1x1
            default -> 1;
        };
    }

    /**
     * {@code blocks} blocks of (conv 3x3, batch norm, ReLU) twice then 2x2 max-pool, channels doubling from
     * {@code channels}; global average pool, dropout 0.2, linear. The same network as bench/python's small-cnn.
     */
    public static Block smallCnn(int channels, int blocks, int classes) {
        SequentialBlock net = new SequentialBlock();
        int c = channels;
        for (int b = 0; b < blocks; b++, c *= 2) {
            net.add(conv(c, 3, 1, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                    .add(conv(c, 3, 1, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                .add(Dropout.builder().optRate(0.2f).build()).add(Linear.builder().setUnits(classes).build());
    }

    /**
     * ResNet-18 with torchvision's layout (7x7 stem, 3x3 max-pool, four stages of two basic blocks with 64, 128,
     * 256, 512 channels, 1x1 projection shortcuts where the shape changes): 11,689,512 parameters at 1,000
     * classes. (DJL's own ResNetV1 at 18 layers is a different, much smaller network.)
     */
    public static Block resnet18(int classes) {
        return resnet(new int[] {2, 2, 2, 2}, classes);
    }

    static Block resnet(int[] blocksPerStage, int classes) {
        SequentialBlock net = new SequentialBlock()
                .add(conv(64, 7, 2, 3)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < widths.length; stage++) {
            for (int i = 0; i < blocksPerStage[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                net.add(basicBlock(widths[stage], stride, stride != 1 || in != widths[stage]));
                in = widths[stage];
            }
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    private static Block basicBlock(int channels, int stride, boolean project) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(channels, 3, stride, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(conv(channels, 3, 1, 1)).add(BatchNorm.builder().build());
        Block shortcut = project
                ? new SequentialBlock().add(conv(channels, 1, stride, 0)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ParallelBlock(Networks::sum, List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }

    private static NDList sum(List<NDList> branches) {
        return new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow()));
    }

    private static Block conv(int filters, int kernel, int stride, int padding) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(padding, padding)).optBias(false).build();
    }
}
