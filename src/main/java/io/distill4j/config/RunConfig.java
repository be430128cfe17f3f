package io.distill4j.config;

import io.distill4j.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole run's configuration, validated when built. The {@code method:} section is kept as a
 * {@link ConfigNode} and read by the method's own factory (see {@code MethodRegistry}), which is what makes
 * a method one file: its options live next to its code.
 */
public record RunConfig(ConfigNode root, long seed, DataConfig data, List<NetworkConfig> networks,
                        List<TeacherConfig> teachers, TrainConfig train, OptimConfig optim, String methodName,
                        ConfigNode method) {

    /** The top-level keys of a run's config. */
    public static final Section SECTION = Section.of("(top level)", "a run's config: its sections and its seed",
            Key.integer("seed", "0", 0, Long.MAX_VALUE, "the run's seed: data order, augmentation, initialisation, "
                    + "sampling"),
            Key.section("data", "the dataset and its augmentation (data.*)"),
            Key.section("networks", "the trainable networks, by name (networks.NAME.*), at least one"),
            Key.section("teachers", "frozen teachers, by name (teachers.NAME.*)"),
            Key.section("train", "the length and shape of training (train.*)"),
            Key.section("optim", "the optimiser and its schedule (optim.*)"),
            Key.section("method", "the method: method.name and method.NAME.* (distill4j methods lists them)"));

    /** The keys of {@code method:} besides each method's own section. */
    public static final Section METHOD = Section.of("method", "which method trains the networks",
            Key.text("name", "baseline", "the method (distill4j methods lists every method and its options, under "
                    + "method.NAME.*)"));

    public static RunConfig from(ConfigNode root) {
        long seed = SECTION.key("seed").readInteger(root);
        DataConfig data = DataConfig.from(root.child("data"));
        ConfigNode nets = root.child("networks");
        // "name: null" unsets an entry, so that --set networks.NAME=null removes a network (or a teacher)
        List<String> netNames = nets.keys().stream().filter(nets::has).toList();
        if (netNames.isEmpty()) {
            throw root.error("networks", "is required: at least one network, e.g. networks: {student: {arch: resnet20}}");
        }
        List<NetworkConfig> networks = new ArrayList<>();
        for (String name : netNames) {
            networks.add(NetworkConfig.from(name, nets.child(name)));
        }
        ConfigNode t = root.child("teachers");
        List<TeacherConfig> teachers = new ArrayList<>();
        for (String name : t.keys().stream().filter(t::has).toList()) {
            if (networks.stream().anyMatch(nc -> nc.name().equals(name))) {
                throw t.error(name, "a teacher and a network cannot share the name '" + name + "'");
            }
            teachers.add(TeacherConfig.from(name, t.child(name)));
        }
        TrainConfig train = TrainConfig.from(root.child("train"));
        if (train.teacherOutputs() != null && !data.mix().equals("none") && data.mixPartner().equals("second_batch")) {
            throw root.child("train").error("teacher_outputs", "cannot record a run whose steps mix two batches "
                    + "(data.mix_partner: second_batch; a step's size depends on its draw): use data.mix_partner: "
                    + "permutation, or drop teacher_outputs");
        }
        OptimConfig optim = OptimConfig.from(root.child("optim"));
        ConfigNode method = root.child("method");
        String methodName = METHOD.key("name").readText(method);
        return new RunConfig(root, seed, data, List.copyOf(networks), List.copyOf(teachers), train, optim,
                methodName, method);
    }

    public NetworkConfig network(String name) {
        for (NetworkConfig n : networks) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw new UserError(root.source() + ": no network named '" + name + "' under networks");
    }

    /** The resolved configuration (given values and defaults), as written to OUT/config.yaml. */
    public Map<String, Object> resolved() {
        return root.resolvedView();
    }

    /**
     * What makes a run the same run: the resolved configuration without where it computes ({@code train.device}
     * and each network's {@code device}), as YAML. A run resumes, and a sweep recognises its run, on any device.
     */
    public String identity() {
        Map<String, Object> r = ConfigLoader.readYamlString(ConfigLoader.toYaml(resolved())); // a deep copy
        if (r.get("train") instanceof Map<?, ?> train) {
            train.remove("device");
        }
        if (r.get("networks") instanceof Map<?, ?> nets) {
            for (Object n : nets.values()) {
                if (n instanceof Map<?, ?> net) {
                    net.remove("device");
                }
            }
        }
        return ConfigLoader.toYaml(r);
    }
}
