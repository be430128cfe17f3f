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
    /** The keys of {@code networks: NAME:}. */
    public static final Section SECTION = Section.of("networks.NAME", "one trainable network of the run (NAME: "
                    + "letters, digits, - and _, starting with a letter)",
            Key.text("arch", "none", "architecture, required (distill4j methods --stages lists some; see the "
                    + "README's network table)"),
            Key.text("init", "none", "a checkpoint to start from (none: random initialisation)"),
            Key.text("device", "default", "default (the run's train.device), cpu, gpu or gpu:N"));

    static NetworkConfig from(String name, ConfigNode n) {
        if (!name.matches("[A-Za-z][A-Za-z0-9_-]*")) {
            throw n.error("", "network name '" + name + "' must start with a letter and use letters, digits, - or _");
        }
        String arch = SECTION.key("arch").requireText(n);
        String init = SECTION.key("init").readText(n);
        String device = SECTION.key("device").readText(n);
        if (!device.equals("default") && !TrainConfig.isDevice(device) || device.equals("auto")) {
            throw n.error("device", "'" + device + "' is not default (the run's train.device), cpu, gpu or gpu:N");
        }
        return new NetworkConfig(name, arch, init, device);
    }
}
