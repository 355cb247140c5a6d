package dev.fovea.djl;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.List;

/**
 * The table from torchvision's tensor names to Fovea's networks: for each architecture, torchvision's names in the
 * order {@link Networks} creates the matching parameters (a convolution's weight; a batch norm's weight, bias,
 * running mean and running variance; a linear layer's weight and bias). Built from the same block tables as
 * {@link Networks}, so the two cannot drift apart unnoticed: {@link PublishedWeightsReader} checks each pair's kind
 * and shape. timm's ResNets use the same names.
 */
final class TorchvisionLayout {
    static final List<String> ARCHITECTURES = List.of("resnet18", "resnet34", "resnet50", "mobilenet-v2");

    private final List<String> names = new ArrayList<>();

    private TorchvisionLayout() {}

    /** torchvision's tensor names of {@code arch}, parameter by parameter; the head's two come last. */
    static List<String> names(String arch) {
        TorchvisionLayout t = new TorchvisionLayout();
        switch (arch) {
            case "resnet18" -> t.resnet(new int[] {2, 2, 2, 2}, false);
            case "resnet34" -> t.resnet(new int[] {3, 4, 6, 3}, false);
            case "resnet50" -> t.resnet(new int[] {3, 4, 6, 3}, true);
            case "mobilenet-v2" -> t.mobilenetV2();
            default -> throw FoveaException.invalid("architecture '" + arch + "' has no published weights layout; weights"
                    + " load into " + String.join(", ", ARCHITECTURES));
        }
        return List.copyOf(t.names);
    }

    private void resnet(int[] blocksPerStage, boolean bottleneck) {
        conv("conv1");
        norm("bn1");
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < widths.length; stage++) {
            int out = bottleneck ? widths[stage] * 4 : widths[stage];
            for (int i = 0; i < blocksPerStage[stage]; i++) {
                String p = "layer" + (stage + 1) + "." + i + ".";
                int stride = stage > 0 && i == 0 ? 2 : 1;
                for (int c = 1; c <= (bottleneck ? 3 : 2); c++) {
                    conv(p + "conv" + c);
                    norm(p + "bn" + c);
                }
                if (stride != 1 || in != out) {
                    conv(p + "downsample.0");
                    norm(p + "downsample.1");
                }
                in = out;
            }
        }
        linear("fc");
    }

    private void mobilenetV2() {
        int[][] table = {{1, 16, 1}, {6, 24, 2}, {6, 32, 3}, {6, 64, 4}, {6, 96, 3}, {6, 160, 3}, {6, 320, 1}};
        conv("features.0.0");
        norm("features.0.1");
        int feature = 1;
        for (int[] row : table) {
            for (int i = 0; i < row[2]; i++, feature++) {
                String p = "features." + feature + ".conv.";
                if (row[0] != 1) { // expansion, depthwise, projection
                    conv(p + "0.0");
                    norm(p + "0.1");
                    conv(p + "1.0");
                    norm(p + "1.1");
                    conv(p + "2");
                    norm(p + "3");
                } else { // depthwise, projection
                    conv(p + "0.0");
                    norm(p + "0.1");
                    conv(p + "1");
                    norm(p + "2");
                }
            }
        }
        conv("features." + feature + ".0");
        norm("features." + feature + ".1");
        linear("classifier.1");
    }

    private void conv(String name) {
        names.add(name + ".weight");
    }

    private void norm(String name) {
        for (String part : List.of("weight", "bias", "running_mean", "running_var")) names.add(name + "." + part);
    }

    private void linear(String name) {
        names.add(name + ".weight");
        names.add(name + ".bias");
    }
}
