package dev.fovea.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainSettings;
import java.util.List;

/** The networks Fovea trains, built as DJL blocks. */
public final class Networks {
    private Networks() {}

    /** PyTorch's own default for Conv2d and Linear weights: kaiming_uniform_(a=sqrt(5)), U(-1/sqrt(fan_in), +). */
    static final Initializer LAYER_DEFAULT = new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
            XavierInitializer.FactorType.IN, 1);
    /** torchvision's ResNets and MobileNetV2 convolutions: kaiming_normal_(mode=fan_out, relu), N(0, 2/fan_out). */
    static final Initializer TORCHVISION_CONV = new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
            XavierInitializer.FactorType.OUT, 2);

    /**
     * The network of the settings' architecture with {@code classes} outputs (logits), its weights drawn as PyTorch
     * draws them (DJL's default, Xavier over the average fan, starts the head's logits about 3x larger).
     */
    public static Block build(TrainSettings s, int classes) {
        Block net = network(s, classes);
        initializeAsPyTorch(net, !s.arch().equals("small-cnn"));
        return net;
    }

    /**
     * Sets every convolution's and linear layer's weight initializer as PyTorch would: the layers' defaults, or for
     * torchvision's networks, its Kaiming normal for convolutions. Biases stay zero (PyTorch draws a linear layer's
     * bias uniformly too; the convolutions here have none, batch norm follows them).
     */
    static void initializeAsPyTorch(Block block, boolean torchvision) {
        for (Block child : block.getChildren().values()) initializeAsPyTorch(child, torchvision);
        if (block instanceof Conv2d) block.setInitializer(torchvision ? TORCHVISION_CONV : LAYER_DEFAULT, Parameter.Type.WEIGHT);
        else if (block instanceof Linear) block.setInitializer(LAYER_DEFAULT, Parameter.Type.WEIGHT);
    }

    private static Block network(TrainSettings s, int classes) {
        return switch (s.arch()) {
            case "small-cnn" -> smallCnn(s.cnnChannels(), s.cnnBlocks(), s.cnnConvs(), classes);
            case "resnet18" -> resnet18(classes);
            case "resnet34" -> resnet34(classes);
            case "resnet50" -> resnet50(classes);
            case "mobilenet-v2" -> mobilenetV2(classes);
            default -> throw FoveaException.invalid("architecture '" + s.arch() + "' is not one of "
                    + String.join(", ", TrainSettings.ARCHITECTURES));
        };
    }

    /** The smallest input side the architecture accepts. */
    public static int minimumInputSize(TrainSettings s) {
        return switch (s.arch()) {
            case "small-cnn" -> 1 << s.cnnBlocks(); // one 2x2 max-pool per block
            case "resnet18", "resnet34", "resnet50", "mobilenet-v2" -> 32; // five halvings down to 1x1
            default -> 1;
        };
    }

    /**
     * {@code blocks} blocks of (conv 3x3, batch norm, ReLU) {@code convs} times then 2x2 max-pool, channels doubling
     * from {@code channels}; global average pool, dropout 0.2, linear. With 2 convolutions per block it is the same
     * network as bench/python's small-cnn; with 1, 4 blocks and 32 channels, the same feature layers as
     * shared/peers/reference_recipe.py's {@code cnn} (which has no dropout before its linear layer).
     */
    public static Block smallCnn(int channels, int blocks, int convs, int classes) {
        SequentialBlock net = new SequentialBlock();
        int c = channels;
        for (int b = 0; b < blocks; b++, c *= 2) {
            for (int i = 0; i < convs; i++) {
                net.add(conv(c, 3, 1, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
            }
            net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
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

    /** ResNet-34 with torchvision's layout (basic blocks 3, 4, 6, 3): 21,797,672 parameters at 1,000 classes. */
    public static Block resnet34(int classes) {
        return resnet(new int[] {3, 4, 6, 3}, classes);
    }

    /**
     * ResNet-50 with torchvision's layout (v1.5: bottleneck blocks 3, 4, 6, 3 with expansion 4, the stride on the
     * 3x3 conv, 1x1 projection shortcuts where the shape changes): 25,557,032 parameters at 1,000 classes.
     */
    public static Block resnet50(int classes) {
        return resnet(new int[] {3, 4, 6, 3}, true, classes);
    }

    static Block resnet(int[] blocksPerStage, int classes) {
        return resnet(blocksPerStage, false, classes);
    }

    static Block resnet(int[] blocksPerStage, boolean bottleneck, int classes) {
        SequentialBlock net = new SequentialBlock()
                .add(conv(64, 7, 2, 3)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < widths.length; stage++) {
            int out = bottleneck ? widths[stage] * 4 : widths[stage];
            for (int i = 0; i < blocksPerStage[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                boolean project = stride != 1 || in != out;
                net.add(bottleneck ? bottleneckBlock(widths[stage], stride, project)
                        : basicBlock(widths[stage], stride, project));
                in = out;
            }
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    private static Block basicBlock(int channels, int stride, boolean project) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(channels, 3, stride, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(conv(channels, 3, 1, 1)).add(BatchNorm.builder().build());
        return residual(main, project ? projection(channels, stride) : Blocks.identityBlock());
    }

    /** 1x1 down to {@code width}, 3x3 (strided), 1x1 up to 4 x {@code width}; torchvision's Bottleneck. */
    private static Block bottleneckBlock(int width, int stride, boolean project) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(width, 1, 1, 0)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(conv(width, 3, stride, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(conv(width * 4, 1, 1, 0)).add(BatchNorm.builder().build());
        return residual(main, project ? subsampledProjection(width * 4, stride) : Blocks.identityBlock());
    }

    private static Block projection(int channels, int stride) {
        return new SequentialBlock().add(conv(channels, 1, stride, 0)).add(BatchNorm.builder().build());
    }

    /**
     * The same function and weights as {@link #projection}: a 1x1 convolution with stride 2 and no padding only reads
     * every other row and column, so take those first and convolve with stride 1. PyTorch 2.7.1's oneDNN dies with
     * SIGFPE (taking the JVM with it) building the backward pass of a strided 1x1 convolution with 512 or more input
     * channels (brgemm_convolution_bwd_utils::brg_blocking_t::est_eff_1x1), which ResNet-50's last two stages have.
     * ResNet-18 and -34 keep {@link #projection}, whose block layout their saved weights were written with.
     */
    private static Block subsampledProjection(int channels, int stride) {
        SequentialBlock b = new SequentialBlock();
        if (stride != 1) {
            String every = "::" + stride;
            b.add(LambdaBlock.singleton(x -> x.get(":, :, " + every + ", " + every), "subsample"));
        }
        return b.add(conv(channels, 1, 1, 0)).add(BatchNorm.builder().build());
    }

    private static Block residual(Block main, Block shortcut) {
        return new SequentialBlock()
                .add(new ParallelBlock(Networks::sum, List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }

    /**
     * MobileNetV2 (width 1.0) with torchvision's layout: 3x3 stride-2 stem to 32 channels, seventeen inverted
     * residual blocks (1x1 expansion by t, 3x3 depthwise, 1x1 linear projection; an identity shortcut where stride
     * is 1 and the channels stay), 1x1 conv to 1280, ReLU6 throughout, global average pool, dropout 0.2, linear:
     * 3,504,872 parameters at 1,000 classes.
     */
    public static Block mobilenetV2(int classes) {
        int[][] table = { // expansion t, channels c, repeats n, stride s
            {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
        SequentialBlock net = new SequentialBlock()
                .add(conv(32, 3, 2, 1)).add(BatchNorm.builder().build()).add(Activation.relu6Block());
        int in = 32;
        for (int[] row : table) {
            for (int i = 0; i < row[2]; i++) {
                net.add(invertedResidual(in, row[1], i == 0 ? row[3] : 1, row[0]));
                in = row[1];
            }
        }
        return net.add(conv(1280, 1, 1, 0)).add(BatchNorm.builder().build()).add(Activation.relu6Block())
                .add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                .add(Dropout.builder().optRate(0.2f).build()).add(Linear.builder().setUnits(classes).build());
    }

    private static Block invertedResidual(int in, int out, int stride, int expansion) {
        int hidden = in * expansion;
        SequentialBlock main = new SequentialBlock();
        if (expansion != 1) {
            main.add(conv(hidden, 1, 1, 0)).add(BatchNorm.builder().build()).add(Activation.relu6Block());
        }
        main.add(conv(hidden, 3, stride, 1, hidden)).add(BatchNorm.builder().build()).add(Activation.relu6Block())
                .add(conv(out, 1, 1, 0)).add(BatchNorm.builder().build());
        return stride == 1 && in == out
                ? new ParallelBlock(Networks::sum, List.of(main, Blocks.identityBlock()))
                : main;
    }

    private static NDList sum(List<NDList> branches) {
        return new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow()));
    }

    private static Block conv(int filters, int kernel, int stride, int padding) {
        return conv(filters, kernel, stride, padding, 1);
    }

    private static Block conv(int filters, int kernel, int stride, int padding, int groups) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(padding, padding)).optGroups(groups)
                .optBias(false).build();
    }
}
