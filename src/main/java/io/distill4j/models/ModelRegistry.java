package io.distill4j.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
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
 *   <li>{@code vgg8}, {@code vgg11}, {@code vgg13}: VGG with BatchNorm, max-pooling between the five stages;</li>
 *   <li>{@code resnet18-cifar}, {@code resnet34-cifar}, {@code resnet50-cifar} and {@code resnet18-imagenet},
 *       {@code resnet34-imagenet}, {@code resnet50-imagenet}: the ResNets of He et al.'s ImageNet paper (basic
 *       blocks for 18 and 34, bottlenecks for 50; stages of 64/128/256/512 channels), {@code -imagenet} with the
 *       7x7 stride-2 stem and 3x3 max-pool, {@code -cifar} with the common CIFAR 3x3 stride-1 stem and no
 *       max-pool. The suffix is required: {@code resnet20} and {@code resnet50} stay the CIFAR {@code 6n+2}
 *       family;</li>
 *   <li>{@code mobilenetv3-small}, {@code mobilenetv3-large}: MobileNetV3 as torchvision (ImageNet strides,
 *       total 32), and {@code mobilenetv3-small-cifar}, {@code mobilenetv3-large-cifar} for small inputs: the
 *       stem and the first stride-2 bneck at stride 1 (total stride 8, as the CIFAR mobilenetv2).</li>
 * </ul>
 * The last two families are built by {@link ArticleNetworks}, whose comment details them and their differences
 * from torchvision.
 * Bounds: resnet depth 8..1202, wrn depth 10..100, widths k 1..16, mobilenetv2 w in (0, 4]; anything else is a
 * {@link UserError} that quotes the name and states the rule.
 * Every network ends with global average pooling and a linear classifier. Weights: Kaiming normal (fan-in,
 * ReLU gain) for convolutions and the classifier, as the reference CIFAR ResNet code; BN gamma 1, beta 0.
 */
public final class ModelRegistry {
    private static final Pattern RESNET = Pattern.compile("resnet(\\d+)(?:x(\\d+))?");
    private static final Pattern WRN = Pattern.compile("wrn-(\\d+)-(\\d+)");
    private static final Pattern MOBILENET = Pattern.compile("mobilenetv2(?:x(\\d+(?:\\.\\d+)?))?");
    private static final Pattern VGG = Pattern.compile("vgg(8|11|13)");
    private static final Pattern RESNET_IMAGENET = Pattern.compile("resnet(18|34|50)-(cifar|imagenet)");
    private static final Pattern MOBILENET_V3 = Pattern.compile("mobilenetv3-(small|large)(-cifar)?");

    private ModelRegistry() {}

    public static List<String> examples() {
        return List.of("resnet8", "resnet20", "resnet56", "resnet110", "resnet8x4", "wrn-16-2", "wrn-40-2",
                "mobilenetv2", "mobilenetv2x0.5", "vgg8", "vgg13");
    }

    /** The bounds the names may take: deep or wide enough to be a network, small enough to fit a GPU. */
    static final int RESNET_MAX_DEPTH = 1202;
    static final int WRN_MAX_DEPTH = 100;
    static final int MAX_WIDTH = 16;
    static final double MOBILENET_MAX_WIDTH = 4;

    public static Network build(String arch, int inChannels, int numClasses) {
        if (arch == null || arch.isBlank()) {
            throw new UserError("arch is empty (" + FAMILIES + ")");
        }
        Matcher m;
        if ((m = RESNET.matcher(arch)).matches()) {
            int depth = number(arch, m.group(1), RESNET_MAX_DEPTH, RESNET_DEPTH);
            if (depth < 8 || (depth - 2) % 6 != 0) {
                throw invalid(arch, RESNET_DEPTH);
            }
            int k = m.group(2) == null ? 1 : number(arch, m.group(2), MAX_WIDTH, RESNET_WIDTH);
            if (k < 1) {
                throw invalid(arch, RESNET_WIDTH);
            }
            return resnet(arch, (depth - 2) / 6, k, numClasses);
        }
        if ((m = WRN.matcher(arch)).matches()) {
            int depth = number(arch, m.group(1), WRN_MAX_DEPTH, WRN_DEPTH);
            if (depth < 10 || (depth - 4) % 6 != 0) {
                throw invalid(arch, WRN_DEPTH);
            }
            int k = number(arch, m.group(2), MAX_WIDTH, WRN_WIDTH);
            if (k < 1) {
                throw invalid(arch, WRN_WIDTH);
            }
            return wrn(arch, (depth - 4) / 6, k, numClasses);
        }
        if ((m = MOBILENET.matcher(arch)).matches()) {
            double w = m.group(1) == null ? 1.0 : Double.parseDouble(m.group(1)); // digits[.digits]: always parses
            if (!(w > 0 && w <= MOBILENET_MAX_WIDTH)) {
                throw invalid(arch, MOBILENET_WIDTH);
            }
            return mobilenetV2(arch, w, numClasses);
        }
        if ((m = VGG.matcher(arch)).matches()) {
            return vgg(arch, Integer.parseInt(m.group(1)), numClasses);
        }
        if ((m = RESNET_IMAGENET.matcher(arch)).matches()) {
            return ArticleNetworks.resnet(arch, Integer.parseInt(m.group(1)), m.group(2).equals("imagenet"),
                    numClasses);
        }
        if ((m = MOBILENET_V3.matcher(arch)).matches()) {
            return ArticleNetworks.mobilenetV3(arch, m.group(1).equals("large"), m.group(2) != null, numClasses);
        }
        // a known family, but not its grammar: say that family's rule
        if (arch.matches("resnet\\d+-.*")) {
            throw invalid(arch, "write resnet{18|34|50}-{cifar|imagenet} for the ResNets of the ImageNet paper, e.g. "
                    + "resnet18-cifar, resnet50-imagenet; the CIFAR ResNets have no suffix: resnet{depth} or "
                    + "resnet{depth}x{k}, e.g. resnet20, resnet8x4; " + RESNET_DEPTH);
        }
        if (arch.startsWith("mobilenetv3")) {
            throw invalid(arch, "write mobilenetv3-small or mobilenetv3-large, with -cifar for small inputs, e.g. "
                    + "mobilenetv3-small-cifar; or mobilenetv2 or mobilenetv2x{w}, e.g. mobilenetv2x0.5; "
                    + MOBILENET_WIDTH);
        }
        if (arch.startsWith("resnet")) {
            throw invalid(arch, "write resnet{depth} or resnet{depth}x{k}, e.g. resnet20, resnet8x4; " + RESNET_DEPTH
                    + "; " + RESNET_WIDTH);
        }
        if (arch.startsWith("wrn")) {
            throw invalid(arch, "write wrn-{depth}-{k}, e.g. wrn-16-2, wrn-40-2; " + WRN_DEPTH + "; " + WRN_WIDTH);
        }
        if (arch.startsWith("mobilenet")) {
            throw invalid(arch, "write mobilenetv2 or mobilenetv2x{w}, e.g. mobilenetv2x0.5; " + MOBILENET_WIDTH);
        }
        if (arch.startsWith("vgg")) {
            throw invalid(arch, "VGG depth must be 8, 11 or 13: vgg8, vgg11, vgg13");
        }
        throw unknown(arch, FAMILIES + "; e.g. " + String.join(", ", examples()));
    }

    private static final String FAMILIES = "families: resnet{6n+2}[x{k}], wrn-{d}-{k}, mobilenetv2[x{w}], vgg8/11/13, "
            + "resnet{18|34|50}-{cifar|imagenet}, mobilenetv3-{small|large}[-cifar]";
    private static final String RESNET_DEPTH = "resnet depth must be 6n+2 with n >= 1 and depth <= " + RESNET_MAX_DEPTH
            + " (8, 14, 20, 32, 44, 56, 110, ...)";
    private static final String RESNET_WIDTH = "resnet width k in resnet{depth}x{k} must be 1.." + MAX_WIDTH;
    private static final String WRN_DEPTH = "WRN depth must be 6n+4 with n >= 1 and depth <= " + WRN_MAX_DEPTH
            + " (10, 16, 22, 28, 40, ...)";
    private static final String WRN_WIDTH = "WRN width k in wrn-{depth}-{k} must be 1.." + MAX_WIDTH;
    private static final String MOBILENET_WIDTH = "the mobilenetv2 width multiplier w in mobilenetv2x{w} must be in (0, "
            + (int) MOBILENET_MAX_WIDTH + "]";

    /** A decimal number of the name; above {@code max} (however many digits) is an error saying {@code rule}. */
    private static int number(String arch, String digits, int max, String rule) {
        String d = digits.replaceFirst("^0+(?=\\d)", "");
        if (d.length() > 9 || Integer.parseInt(d) > max) {
            throw invalid(arch, rule);
        }
        return Integer.parseInt(d);
    }

    private static UserError invalid(String arch, String why) {
        return new UserError("arch '" + arch + "' is not a valid architecture: " + why);
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
                stage.add(Layers.maxPool(2, 2, 0));
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
