package io.distill4j.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.XavierInitializer;
import io.distill4j.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.distill4j.models.Layers.bn;
import static io.distill4j.models.Layers.conv;
import static io.distill4j.models.Layers.relu;
import static io.distill4j.models.Layers.relu6;
import static io.distill4j.models.Layers.seq;

/**
 * The architectures of the papers, by name, for any input channel count and small resolutions:
 * <ul>
 *   <li>{@code resnet{6n+2}} (8, 14, 20, 32, 44, 56, 110, ...): He et al.'s CIFAR ResNets, basic blocks, stages
 *       of 16/32/64 channels, projection shortcuts (1x1 conv + BN) where the shape changes;
 *       {@code resnet{d}x{k}}: stages 16k/32k/64k with an 8k stem, as CRD's resnet8x4 / resnet32x4;</li>
 *   <li>{@code wrn-{d}-{k}}: wide ResNets (pre-activation, (d-4)/6 blocks a stage, 16k/32k/64k, no dropout);</li>
 *   <li>{@code mobilenetv2}, {@code mobilenetv2x{w}}: CIFAR MobileNetV2 (stride-1 stem, width multiplier w);</li>
 *   <li>{@code vgg8}, {@code vgg11}, {@code vgg13}: VGG with BatchNorm, max-pooling between the five stages.</li>
 * </ul>
 * Every network ends with global average pooling and a linear classifier. Weights: Kaiming normal (fan-in,
 * ReLU gain) for convolutions and the classifier, as the reference CIFAR ResNet code; BN gamma 1, beta 0.
 */
public final class ModelRegistry {
    private static final Pattern RESNET = Pattern.compile("resnet(\\d+)(?:x(\\d+))?");
    private static final Pattern WRN = Pattern.compile("wrn-(\\d+)-(\\d+)");
    private static final Pattern MOBILENET = Pattern.compile("mobilenetv2(?:x(\\d+(?:\\.\\d+)?))?");
    private static final Pattern VGG = Pattern.compile("vgg(8|11|13)");

    private ModelRegistry() {}

    public static List<String> examples() {
        return List.of("resnet8", "resnet20", "resnet56", "resnet110", "resnet8x4", "wrn-16-2", "wrn-40-2",
                "mobilenetv2", "mobilenetv2x0.5", "vgg8", "vgg13");
    }

    public static Network build(String arch, int inChannels, int numClasses) {
        Matcher m;
        if ((m = RESNET.matcher(arch)).matches()) {
            int depth = Integer.parseInt(m.group(1));
            if (depth < 8 || (depth - 2) % 6 != 0) {
                throw unknown(arch, "a CIFAR ResNet has depth 6n+2 (8, 14, 20, 32, 44, 56, 110)");
            }
            return resnet(arch, (depth - 2) / 6, m.group(2) == null ? 1 : Integer.parseInt(m.group(2)), numClasses);
        }
        if ((m = WRN.matcher(arch)).matches()) {
            int depth = Integer.parseInt(m.group(1));
            if (depth < 10 || (depth - 4) % 6 != 0) {
                throw unknown(arch, "a WRN has depth 6n+4 (10, 16, 22, 28, 40)");
            }
            return wrn(arch, (depth - 4) / 6, Integer.parseInt(m.group(2)), numClasses);
        }
        if ((m = MOBILENET.matcher(arch)).matches()) {
            double w = m.group(1) == null ? 1.0 : Double.parseDouble(m.group(1));
            if (w <= 0 || w > 4) {
                throw unknown(arch, "the width multiplier must be in (0, 4]");
            }
            return mobilenetV2(arch, w, numClasses);
        }
        if ((m = VGG.matcher(arch)).matches()) {
            return vgg(arch, Integer.parseInt(m.group(1)), numClasses);
        }
        throw unknown(arch, "families: resnet{6n+2}[x{k}], wrn-{d}-{k}, mobilenetv2[x{w}], vgg8/11/13; e.g. "
                + String.join(", ", examples()));
    }

    private static UserError unknown(String arch, String why) {
        return new UserError("arch '" + arch + "' is not a known architecture (" + why + ")");
    }

    /** Builds and initialises a network for inputs of the given shape. */
    public static Network buildAndInit(String arch, int inChannels, int numClasses, int height, int width,
                                       NDManager manager) {
        Network net = build(arch, inChannels, numClasses);
        net.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, inChannels, height, width));
        return net;
    }

    /** Trainable parameters (not BatchNorm running statistics). */
    public static long countParameters(Network net) {
        long n = 0;
        for (var p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    private static Network resnet(String arch, int blocksPerStage, int k, int classes) {
        int stemWidth = k == 1 ? 16 : 8 * k;
        int[] widths = {16 * k, 32 * k, 64 * k};
        Block stem = seq(conv(stemWidth, 3, 1), bn(), relu());
        List<Block> body = new ArrayList<>();
        int in = stemWidth;
        for (int s = 0; s < 3; s++) {
            for (int b = 0; b < blocksPerStage; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                int out = widths[s];
                Block branch = seq(conv(out, 3, stride), bn(), relu(), conv(out, 3, 1), bn());
                Block shortcut = stride != 1 || in != out ? seq(conv(out, 1, stride), bn()) : null;
                body.add(new ResidualBlock(null, branch, shortcut, true, s));
                in = out;
            }
        }
        return new CifarNetwork(arch, classes, stem, body, null, in);
    }

    private static Network wrn(String arch, int blocksPerStage, int k, int classes) {
        int[] widths = {16 * k, 32 * k, 64 * k};
        Block stem = conv(16, 3, 1);
        List<Block> body = new ArrayList<>();
        int in = 16;
        for (int s = 0; s < 3; s++) {
            for (int b = 0; b < blocksPerStage; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                int out = widths[s];
                Block pre = seq(bn(), relu());
                Block branch = seq(conv(out, 3, stride), bn(), relu(), conv(out, 3, 1));
                Block shortcut = stride != 1 || in != out ? conv(out, 1, stride) : null;
                body.add(new ResidualBlock(pre, branch, shortcut, false, s));
                in = out;
            }
        }
        return new CifarNetwork(arch, classes, stem, body, seq(bn(), relu()), in);
    }

    private static int divisible(double channels) {
        return Math.max(8, (int) Math.round(channels / 8) * 8);
    }

    private static Network mobilenetV2(String arch, double w, int classes) {
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
                {6, 160, 3, 2}, {6, 320, 1, 1}};
        int in = divisible(32 * w);
        Block stem = seq(conv(in, 3, 1), bn(), relu6());
        List<Block> body = new ArrayList<>();
        for (int s = 0; s < settings.length; s++) {
            int t = settings[s][0];
            int out = divisible(settings[s][1] * w);
            for (int i = 0; i < settings[s][2]; i++) {
                int stride = i == 0 ? settings[s][3] : 1;
                int hidden = in * t;
                SequentialBlock branch = new SequentialBlock();
                if (t != 1) {
                    branch.addAll(conv(hidden, 1, 1), bn(), relu6());
                }
                branch.addAll(conv(hidden, 3, stride, hidden), bn(), relu6(), conv(out, 1, 1), bn());
                // only stride-1, same-width blocks have a skip connection
                body.add(stride == 1 && in == out ? new ResidualBlock(null, branch, null, false, s) : branch);
                in = out;
            }
        }
        int last = w > 1 ? divisible(1280 * w) : 1280;
        return new CifarNetwork(arch, classes, stem, body, seq(conv(last, 1, 1), bn(), relu6()), last);
    }

    private static Network vgg(String arch, int depth, int classes) {
        int[][] cfg = switch (depth) {
            case 8 -> new int[][] {{64}, {128}, {256}, {512}, {512}};
            case 11 -> new int[][] {{64}, {128}, {256, 256}, {512, 512}, {512, 512}};
            default -> new int[][] {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}};
        };
        Block stem = seq(conv(cfg[0][0], 3, 1), bn(), relu());
        List<Block> body = new ArrayList<>();
        for (int s = 0; s < cfg.length; s++) {
            SequentialBlock stage = new SequentialBlock();
            if (s > 0) {
                stage.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            }
            for (int i = s == 0 ? 1 : 0; i < cfg[s].length; i++) {
                stage.addAll(conv(cfg[s][i], 3, 1), bn(), relu());
            }
            if (!stage.getChildren().isEmpty()) {
                body.add(stage);
            }
        }
        return new CifarNetwork(arch, classes, stem, body, null, 512);
    }
}
