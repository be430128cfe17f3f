package io.distill4j.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.distill4j.UserError;

import java.util.ArrayList;
import java.util.List;

/**
 * Networks in and out of checkpoints. Every parameter (including BatchNorm running statistics) is stored by
 * name with its shape; loading verifies the architecture and each shape and names the first mismatch.
 */
public final class Checkpoints {
    private Checkpoints() {}

    public static void saveNetwork(Checkpoint c, Net net) {
        JsonObject nets = c.meta().has("networks") ? c.meta().getAsJsonObject("networks") : new JsonObject();
        c.meta().add("networks", nets);
        JsonObject info = new JsonObject();
        info.addProperty("arch", net.block().arch());
        info.addProperty("classes", net.block().numClasses());
        JsonArray names = new JsonArray();
        NDList arrays = new NDList();
        for (Pair<String, Parameter> p : net.block().getParameters()) {
            names.add(p.getKey());
            arrays.add(p.getValue().getArray());
        }
        info.add("parameters", names);
        nets.add(net.name(), info);
        c.putArrays("net/" + net.name() + "/params", arrays);
        byte[] whole = net.block().wholeState(); // a TorchScript module's buffers live in the module
        if (whole != null) {
            c.putBytes("net/" + net.name() + "/module", whole);
        }
        if (net.optimizer() != null) {
            c.putArrays("net/" + net.name() + "/sgd", net.optimizer().state());
        }
    }

    /**
     * Loads the parameters saved under {@code savedName} (null: the network's own name, or the checkpoint's
     * only network) into {@code net}. The optimizer state is loaded too when present and wanted.
     */
    public static void loadNetwork(Checkpoint c, Net net, String savedName) {
        loadNetwork(c, net, savedName, false);
    }

    public static void loadNetwork(Checkpoint c, Net net, String savedName, boolean withOptimizer) {
        JsonObject nets = c.meta().has("networks") ? c.meta().getAsJsonObject("networks") : new JsonObject();
        String name = savedName;
        if (name == null) {
            name = nets.has(net.name()) || nets.size() != 1 ? net.name() : nets.keySet().iterator().next();
        }
        if (!nets.has(name)) {
            throw new UserError(c.origin() + ": no network '" + name + "' in checkpoint (it has "
                    + String.join(", ", nets.keySet()) + ")");
        }
        JsonObject info = nets.getAsJsonObject(name);
        String arch = info.get("arch").getAsString();
        if (!arch.equals(net.block().arch())) {
            throw new UserError(c.origin() + ": network '" + name + "' is " + arch + ", expected "
                    + net.block().arch());
        }
        if (c.has("net/" + name + "/module")) { // parameters and buffers: the module swapped in whole
            net.block().restoreWholeState(c.bytes("net/" + name + "/module"));
            if (net.optimizer() != null) {
                net.optimizer().rebind(Net.trainableParameters(net.block()));
            }
        }
        JsonArray names = info.getAsJsonArray("parameters");
        List<Pair<String, Parameter>> params = new ArrayList<>();
        for (Pair<String, Parameter> p : net.block().getParameters()) {
            params.add(p);
        }
        try (NDManager tmp = net.manager().newSubManager()) {
            NDList saved = c.arrays("net/" + name + "/params", tmp);
            if (saved.size() != params.size() || names.size() != params.size()) {
                throw new UserError(c.origin() + ": network '" + name + "' has " + saved.size()
                        + " parameters, " + net.block().arch() + " expects " + params.size());
            }
            for (int i = 0; i < params.size(); i++) {
                String pname = params.get(i).getKey();
                NDArray target = params.get(i).getValue().getArray();
                NDArray src = saved.get(i);
                if (!names.get(i).getAsString().equals(pname)) {
                    throw new UserError(c.origin() + ": parameter " + i + " of '" + name + "' is '"
                            + names.get(i).getAsString() + "', expected '" + pname + "'");
                }
                if (!src.getShape().equals(target.getShape())) {
                    throw new UserError(c.origin() + ": parameter '" + pname + "' of '" + name + "' has shape "
                            + src.getShape() + ", " + net.block().arch() + " expects " + target.getShape());
                }
                src.copyTo(target);
            }
            if (withOptimizer && net.optimizer() != null) {
                net.optimizer().loadState(c.arrays("net/" + name + "/sgd", tmp));
            }
        }
    }
}
