package io.distill4j.foreign;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distill4j.UserError;
import io.distill4j.models.Network;
import io.distill4j.models.TorchvisionNames;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Starts a distill4j network from torchvision's weights: {@code networks.NAME.init: FILE} where FILE is a PyTorch
 * archive ({@link TorchArchive}: a scripted torchvision model, or a {@code torch.save} of its state dict) of the
 * architecture's torchvision counterpart ({@link TorchvisionNames}). Every parameter and buffer is matched by its
 * torchvision name and must have the same shape:
 * <ul>
 *   <li>a classifier of another class count (an ImageNet model for a data set of 10 classes) keeps its fresh
 *       initialisation, and the returned note says so;</li>
 *   <li>anything else that does not fit (a missing tensor, another shape, a tensor the network has no place for)
 *       is one line naming the first and how many there are;</li>
 *   <li>MobileNetV3: torchvision's BatchNorm divides by sqrt(var + 1e-3), distill4j's by sqrt(var + 1e-5), so
 *       each running variance is stored plus the difference: in inference mode the layer computes torchvision's
 *       function (up to one rounding). In training mode the batch statistics use distill4j's epsilon and update
 *       factor (0.1; torchvision's MobileNetV3 uses 0.01), and there is no dropout before the classifier.</li>
 * </ul>
 */
public final class TorchvisionInit {
    private TorchvisionInit() {}

    /** True when {@code file} is a PyTorch archive rather than a distill4j checkpoint. */
    public static boolean applies(Path file) {
        return TorchArchive.isArchive(file);
    }

    /**
     * Copies the archive's tensors into {@code net}'s parameters; returns what was done, in one line.
     *
     * @param where the config key, for messages ({@code configs/x.yaml: networks.student.init})
     */
    public static String load(Path file, Network net, String where) {
        List<String> names = TorchvisionNames.of(net.arch());
        if (names == null) {
            throw new UserError(where + ": " + file + " is a PyTorch archive, which distill4j maps onto "
                    + TorchvisionNames.SUPPORTED + " only, not " + net.arch() + " (a distill4j checkpoint starts "
                    + "any architecture)");
        }
        List<Pair<String, Parameter>> params = net.getParameters().stream().toList();
        if (params.size() != names.size()) { // the names are written from the same tables as the networks
            throw new IllegalStateException(net.arch() + ": " + params.size() + " parameters, " + names.size()
                    + " torchvision names");
        }
        Map<String, TorchArchive.Tensor> tensors = TorchArchive.read(file);
        List<String> head = TorchvisionNames.classifier(net.arch());
        String firstMisfit = null;
        int misfits = 0;
        String reinitialised = null;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            long[] want = params.get(i).getValue().getArray().getShape().getShape();
            TorchArchive.Tensor t = tensors.get(name);
            String misfit = null;
            if (t == null || !t.floating()) {
                misfit = name + " is missing from the file";
            } else if (!Arrays.equals(t.shape(), want)) {
                if (head.contains(name) && t.shape().length == want.length
                        && Arrays.equals(Arrays.copyOfRange(t.shape(), 1, want.length),
                                         Arrays.copyOfRange(want, 1, want.length))) {
                    reinitialised = "the classifier (" + head.get(0).replace(".weight", "") + ": " + t.shape()[0]
                            + " classes in the file, " + want[0] + " here) keeps its fresh initialisation";
                    continue;
                }
                misfit = name + " is " + t.shapeText() + " in the file and " + shape(want) + " in " + net.arch();
            }
            if (misfit != null) {
                firstMisfit = firstMisfit == null ? misfit : firstMisfit;
                misfits++;
            }
        }
        Set<String> known = new HashSet<>(names);
        List<String> extra = tensors.entrySet().stream()
                .filter(e -> e.getValue().floating() && !known.contains(e.getKey())).map(Map.Entry::getKey).toList();
        if (firstMisfit != null || !extra.isEmpty()) {
            String why = firstMisfit != null ? misfits + " of " + names.size() + " tensors do not fit: the first, "
                    + firstMisfit : "";
            if (!extra.isEmpty()) {
                why += (why.isEmpty() ? "" : "; and ") + "the file has " + extra.size() + " tensor"
                        + (extra.size() == 1 ? "" : "s") + " " + net.arch() + " has no place for (the first: "
                        + extra.get(0) + ")";
            }
            throw new UserError(where + ": " + file + " is not a torchvision model of " + net.arch() + ": " + why);
        }
        boolean shiftVariance = TorchvisionNames.bnEpsilon1e3(net.arch());
        float shift = 1e-3f - Network.BN_EPSILON;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            NDArray to = params.get(i).getValue().getArray();
            TorchArchive.Tensor t = tensors.get(name);
            if (!Arrays.equals(t.shape(), to.getShape().getShape())) {
                continue; // the re-initialised classifier
            }
            float[] v = t.values();
            if (shiftVariance && name.endsWith(".running_var")) {
                v = v.clone();
                for (int j = 0; j < v.length; j++) {
                    v[j] += shift;
                }
            }
            to.set(v);
        }
        return String.format(Locale.ROOT, "%s: %d tensors of %s (torchvision's names) onto %s%s%s", where,
                names.size() - (reinitialised == null ? 0 : 2), file, net.arch(),
                reinitialised == null ? "" : "; " + reinitialised,
                shiftVariance ? "; BatchNorm variances + 0.00099 for torchvision's epsilon 1e-3" : "");
    }

    private static String shape(long[] s) {
        return Arrays.toString(s).replace('[', '(').replace(']', ')');
    }
}
