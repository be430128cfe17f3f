package io.distill4j.models;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names torchvision gives the parameters and buffers of the architectures it builds as distill4j does
 * ({@link ArticleNetworks}: resnet18/34/50 and mobilenet_v3_small/large), listed in the order of the distill4j
 * network's {@code getParameters()}: convolution weight (and bias), BatchNorm weight, bias, running mean, running
 * variance, linear weight and bias. torchvision's BatchNorm {@code num_batches_tracked} has no counterpart (distill4j
 * updates running statistics with a fixed factor). Both forms of a family share the names: the {@code -cifar}
 * ResNet's stem is a 3x3 convolution where torchvision's is 7x7 (the shapes then tell), and the {@code -cifar}
 * MobileNetV3 differs only in strides.
 */
public final class TorchvisionNames {
    private static final Pattern RESNET = Pattern.compile("resnet(18|34|50)-(cifar|imagenet)");
    private static final Pattern MOBILENET_V3 = Pattern.compile("mobilenetv3-(small|large)(-cifar)?");

    /** The architectures that have torchvision names, for messages. */
    public static final String SUPPORTED = "resnet18/34/50-imagenet or -cifar (torchvision's resnet18/34/50) and "
            + "mobilenetv3-small/large[-cifar] (mobilenet_v3_small/large)";

    private TorchvisionNames() {}

    /** The names of {@code arch}'s parameters in its order, or null where torchvision has no such network. */
    public static List<String> of(String arch) {
        Matcher m;
        if ((m = RESNET.matcher(arch)).matches()) {
            return resnet(Integer.parseInt(m.group(1)));
        }
        if ((m = MOBILENET_V3.matcher(arch)).matches()) {
            return mobilenetV3(m.group(1).equals("large"));
        }
        return null;
    }

    /** The classifier's weight and bias: where the class count may differ. */
    public static List<String> classifier(String arch) {
        return RESNET.matcher(arch).matches() ? List.of("fc.weight", "fc.bias")
                : List.of("classifier.3.weight", "classifier.3.bias");
    }

    /**
     * True for a torchvision MobileNetV3: its BatchNorm epsilon is 1e-3 where distill4j's is
     * {@link Network#BN_EPSILON}.
     */
    public static boolean bnEpsilon1e3(String arch) {
        return MOBILENET_V3.matcher(arch).matches();
    }

    private static List<String> resnet(int depth) {
        int[] blocks = depth == 18 ? new int[] {2, 2, 2, 2} : new int[] {3, 4, 6, 3};
        boolean bottleneck = depth >= 50;
        List<String> names = new ArrayList<>();
        conv(names, "conv1");
        bn(names, "bn1");
        int in = 64;
        for (int s = 0; s < 4; s++) {
            int out = (64 << s) * (bottleneck ? 4 : 1);
            for (int b = 0; b < blocks[s]; b++) {
                String p = "layer" + (s + 1) + "." + b + ".";
                for (int c = 1; c <= (bottleneck ? 3 : 2); c++) {
                    conv(names, p + "conv" + c);
                    bn(names, p + "bn" + c);
                }
                if (s > 0 && b == 0 || in != out) {
                    conv(names, p + "downsample.0");
                    bn(names, p + "downsample.1");
                }
                in = out;
            }
        }
        linear(names, "fc");
        return names;
    }

    private static List<String> mobilenetV3(boolean large) {
        List<String> names = new ArrayList<>();
        conv(names, "features.0.0");
        bn(names, "features.0.1");
        int in = 16;
        int[][] table = large ? ArticleNetworks.LARGE : ArticleNetworks.SMALL;
        for (int i = 0; i < table.length; i++) {
            int[] row = table[i];
            String p = "features." + (i + 1) + ".block.";
            int j = 0;
            if (row[1] != in) { // expansion
                conv(names, p + j + ".0");
                bn(names, p + j++ + ".1");
            }
            conv(names, p + j + ".0"); // depthwise
            bn(names, p + j++ + ".1");
            if (row[3] == 1) {
                linear(names, p + j + ".fc1");
                linear(names, p + j++ + ".fc2");
            }
            conv(names, p + j + ".0"); // projection
            bn(names, p + j + ".1");
            in = row[2];
        }
        conv(names, "features." + (table.length + 1) + ".0");
        bn(names, "features." + (table.length + 1) + ".1");
        linear(names, "classifier.0");
        linear(names, "classifier.3");
        return names;
    }

    private static void conv(List<String> names, String module) {
        names.add(module + ".weight");
    }

    private static void bn(List<String> names, String module) {
        for (String p : List.of("weight", "bias", "running_mean", "running_var")) {
            names.add(module + "." + p);
        }
    }

    /** A linear layer, or a 1x1 convolution with bias (squeeze-excitation's fc1 and fc2). */
    private static void linear(List<String> names, String module) {
        names.add(module + ".weight");
        names.add(module + ".bias");
    }
}
