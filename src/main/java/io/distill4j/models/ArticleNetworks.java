package io.distill4j.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.distill4j.util.Scalars;

import java.util.ArrayList;
import java.util.List;

import static io.distill4j.models.Layers.bn;
import static io.distill4j.models.Layers.conv;
import static io.distill4j.models.Layers.relu;
import static io.distill4j.models.Layers.seq;

/**
 * The MKF article's networks beyond the CIFAR zoo (docs/methods.md section 6): the ResNets of He et al. 2016 (ImageNet
 * paper) in their ImageNet and common CIFAR forms, and MobileNetV3 (Howard et al. 2019) as torchvision builds it.
 * Every residual connection is a {@link ResidualBlock}, so sub-network masks can switch its branch off.
 *
 * <p><b>ResNet-18/34/50.</b> Stages of 64/128/256/512 channels (times 4 out of a bottleneck), 2-2-2-2 basic blocks
 * (18), 3-4-6-3 basic (34), 3-4-6-3 bottlenecks (50; 1x1, 3x3, 1x1 with expansion 4, the stride on the 3x3 as
 * torchvision's v1.5); stage strides 1, 2, 2, 2; projection shortcut (1x1 conv with the stride + BN) where the shape
 * changes, ReLU after the sum. ImageNet form: 7x7 stride-2 stem conv + BN + ReLU + 3x3 stride-2 max-pool (padding
 * 1); CIFAR form: 3x3 stride-1 stem conv + BN + ReLU, no max-pool. Stage index s = 0..3 of the four stages.
 *
 * <p><b>MobileNetV3.</b> The bneck tables of the paper (table 1 large, table 2 small) as torchvision's
 * {@code _mobilenet_v3_conf}: expansion (skipped when the expanded width equals the input's), depthwise k x k with
 * the stride, squeeze-excitation (squeeze width {@code make_divisible(expanded / 4, 8)}, hard-sigmoid gate) where
 * the table says, projection 1x1 + BN without activation; ReLU or hard-swish as the table says. Stem 3x3 stride-2
 * conv to 16 + BN + hard-swish; head 1x1 conv to 960 (large) / 576 (small) + BN + hard-swish; average pooling;
 * pre-logits {@code Linear(960 -> 1280)} / {@code Linear(576 -> 1024)} + hard-swish; the classifier. Only
 * stride-1, same-width blocks have a skip connection (ResidualBlocks, droppable); the others are plain blocks that
 * {@code residualUnits()} does not list, as MobileNetV2's. Stage of a block: its resolution group in the
 * ImageNet layout, counted from 0 after the stem (large: 0 = the first block, then one more at each of its four
 * stride-2 blocks; small: its first block, stride 2, opens stage 0, then three more), the same in both forms.
 * Differences from torchvision, none of which changes the parameter count: BatchNorm is the zoo's (eps 1e-5,
 * update 0.1, {@link Network#BN_UPDATE}) rather than torchvision's eps 1e-3, momentum 0.01; no dropout before the
 * classifier (torchvision's p = 0.2 in training); weights initialised as the rest of the zoo. The paper's table 2
 * marks an SE on the small model's last 1x1 conv: torchvision (and the published 2.54M count) has none, nor here.
 * The {@code -cifar} form for small inputs (32x32, 28x28) runs the stem and the first stride-2 bneck (large: the
 * 16 -> 24 block; small: the first block) at stride 1, total stride 8 instead of 32, as the zoo's CIFAR
 * MobileNetV2 (stride-1 stem, first stride-2 stage at stride 1); a 32x32 input ends at 4x4. The skip rule
 * (stride 1 and same width) applies to the strides actually used, so {@code mobilenetv3-small-cifar}'s first block
 * (16 -> 16, now stride 1) has a skip connection and is a droppable unit (stage 0): 7 units against the ImageNet
 * form's 6; the large model's first stride-2 block widens 16 -> 24, so both its forms have the same 10 units.
 */
final class ArticleNetworks {
    private ArticleNetworks() {}

    /** ResNet-{depth} (18, 34 or 50); {@code imagenet}: the 7x7 stem and max-pool, else the CIFAR stem. */
    static Network resnet(String arch, int depth, boolean imagenet, int classes) {
        int[] blocks = switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34, 50 -> new int[] {3, 4, 6, 3};
            default -> throw new IllegalArgumentException("ResNet depth 18, 34 or 50, got " + depth);
        };
        boolean bottleneck = depth >= 50;
        int expansion = bottleneck ? 4 : 1;
        Block stem = imagenet
                ? seq(conv(64, 7, 2), bn(), relu(),
                      Layers.maxPool(3, 2, 1))
                : seq(conv(64, 3, 1), bn(), relu());
        List<Block> body = new ArrayList<>();
        int in = 64;
        for (int s = 0; s < 4; s++) {
            int width = 64 << s;
            int out = width * expansion;
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                Block branch = bottleneck
                        ? seq(conv(width, 1, 1), bn(), relu(), conv(width, 3, stride), bn(), relu(),
                              conv(out, 1, 1), bn())
                        : seq(conv(out, 3, stride), bn(), relu(), conv(out, 3, 1), bn());
                Block shortcut = stride != 1 || in != out ? seq(conv(out, 1, stride), bn()) : null;
                body.add(new ResidualBlock(null, branch, shortcut, true, s));
                in = out;
            }
        }
        return new CifarNetwork(arch, classes, stem, body, null, in);
    }

    /** Per bneck: kernel, expanded width, output width, SE (1/0), hard-swish (1) or ReLU (0), stride, stage. */
    static final int[][] LARGE = {
            {3, 16, 16, 0, 0, 1, 0},
            {3, 64, 24, 0, 0, 2, 1},
            {3, 72, 24, 0, 0, 1, 1},
            {5, 72, 40, 1, 0, 2, 2},
            {5, 120, 40, 1, 0, 1, 2},
            {5, 120, 40, 1, 0, 1, 2},
            {3, 240, 80, 0, 1, 2, 3},
            {3, 200, 80, 0, 1, 1, 3},
            {3, 184, 80, 0, 1, 1, 3},
            {3, 184, 80, 0, 1, 1, 3},
            {3, 480, 112, 1, 1, 1, 3},
            {3, 672, 112, 1, 1, 1, 3},
            {5, 672, 160, 1, 1, 2, 4},
            {5, 960, 160, 1, 1, 1, 4},
            {5, 960, 160, 1, 1, 1, 4}};
    static final int[][] SMALL = {
            {3, 16, 16, 1, 0, 2, 0},
            {3, 72, 24, 0, 0, 2, 1},
            {3, 88, 24, 0, 0, 1, 1},
            {5, 96, 40, 1, 1, 2, 2},
            {5, 240, 40, 1, 1, 1, 2},
            {5, 240, 40, 1, 1, 1, 2},
            {5, 120, 48, 1, 1, 1, 2},
            {5, 144, 48, 1, 1, 1, 2},
            {5, 288, 96, 1, 1, 2, 3},
            {5, 576, 96, 1, 1, 1, 3},
            {5, 576, 96, 1, 1, 1, 3}};

    /** MobileNetV3-Large or -Small; {@code cifar}: stem and first stride-2 bneck at stride 1. */
    static Network mobilenetV3(String arch, boolean large, boolean cifar, int classes) {
        int[][] table = large ? LARGE : SMALL;
        int in = 16;
        Block stem = seq(conv(in, 3, cifar ? 1 : 2), bn(), hardSwish());
        List<Block> body = new ArrayList<>();
        boolean reduced = !cifar; // the cifar form has yet to reduce its first stride-2 bneck
        for (int[] row : table) {
            int kernel = row[0];
            int expanded = row[1];
            int out = row[2];
            int stride = row[5];
            if (stride == 2 && !reduced) {
                stride = 1;
                reduced = true;
            }
            SequentialBlock branch = new SequentialBlock();
            if (expanded != in) {
                branch.addAll(conv(expanded, 1, 1), bn(), activation(row[4]));
            }
            branch.addAll(conv(expanded, kernel, stride, expanded), bn(), activation(row[4]));
            if (row[3] == 1) {
                branch.add(new SqueezeExcitation(expanded, makeDivisible(expanded / 4)));
            }
            branch.addAll(conv(out, 1, 1), bn());
            body.add(stride == 1 && in == out ? new ResidualBlock(null, branch, null, false, row[6]) : branch);
            in = out;
        }
        int headWidth = 6 * in;
        int last = large ? 1280 : 1024;
        Block head = seq(conv(headWidth, 1, 1), bn(), hardSwish());
        Block preLogits = seq(Linear.builder().setUnits(last).build(), hardSwish());
        return new CifarNetwork(arch, classes, stem, body, head, preLogits, last);
    }

    /** torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, at least 8, at least 0.9 v. */
    static int makeDivisible(int v) {
        int d = Math.max(8, (v + 4) / 8 * 8);
        return d < 0.9 * v ? d + 8 : d;
    }

    private static Block activation(int hardSwish) {
        return hardSwish == 1 ? hardSwish() : relu();
    }

    /** {@code x * relu6(x + 3) / 6}, PyTorch's Hardswish. */
    static Block hardSwish() {
        return new LambdaBlock(l -> new NDList(hardSwish(l.singletonOrThrow())), "hardswish");
    }

    static NDArray hardSwish(NDArray x) {
        return x.mul(hardSigmoid(x));
    }

    /** {@code relu6(x + 3) / 6}, PyTorch's Hardsigmoid. */
    static NDArray hardSigmoid(NDArray x) {
        return Scalars.div(Scalars.add(x, 3f).clip(0f, 6f), 6f);
    }
}
