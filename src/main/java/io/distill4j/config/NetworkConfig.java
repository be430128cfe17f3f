package io.distill4j.config;

/**
 * One trainable network of a run, under {@code networks: NAME:}.
 *
 * @param name   the network's name in metrics, checkpoints and reports
 * @param arch   architecture (see {@code ModelRegistry})
 * @param init   a checkpoint to start from, or null for random initialisation
 * @param device {@code default} (the run's {@code train.device}), {@code cpu}, {@code gpu} or {@code gpu:N}
 */
public record NetworkConfig(String name, String arch, String init, String device) {
    static NetworkConfig from(String name, ConfigNode n) {
        if (!name.matches("[A-Za-z][A-Za-z0-9_-]*")) {
            throw n.error("", "network name '" + name + "' must start with a letter and use letters, digits, - or _");
        }
        String arch = n.requireString("arch");
        String init = n.string("init", null);
        String device = n.string("device", "default");
        if (!device.equals("default") && !TrainConfig.isDevice(device) || device.equals("auto")) {
            throw n.error("device", "'" + device + "' is not default (the run's train.device), cpu, gpu or gpu:N");
        }
        return new NetworkConfig(name, arch, init, device);
    }
}
