package io.distill4j.config;

/**
 * One trainable network of a run, under {@code networks: NAME:}.
 *
 * @param name   the network's name in metrics, checkpoints and reports
 * @param arch   architecture (see {@code ModelRegistry}), or null for a TorchScript module
 * @param model  a TorchScript module to train ({@code torch.jit.script}, then {@code torch.jit.save}) instead of an
 *               architecture, or null
 * @param init   a checkpoint to start from, a PyTorch archive of the architecture's torchvision model
 *               ({@code TorchvisionInit}), or null for random initialisation
 * @param device {@code default} (the run's {@code train.device}), {@code cpu}, {@code gpu} or {@code gpu:N}
 */
public record NetworkConfig(String name, String arch, String model, String init, String device) {
    /** The keys of {@code networks: NAME:}. */
    public static final Section SECTION = Section.of("networks.NAME", "one trainable network of the run (NAME: "
                    + "letters, digits, - and _, starting with a letter)",
            Key.text("arch", "none", "architecture, required unless model is given (distill4j methods --stages lists "
                    + "some; see the README's network table)"),
            Key.text("model", "none", "a TorchScript module to train instead (torch.jit.script, then torch.jit.save; "
                    + "logit methods only)"),
            Key.text("init", "none", "a checkpoint to start from (none: random initialisation), or torchvision's "
                    + "weights: a scripted torchvision model or a torch.save of its state dict, for resnet18/34/50 and "
                    + "mobilenetv3-small/large (mapped by name and shape; another class count re-initialises the "
                    + "classifier)"),
            Key.text("device", "default", "default (the run's train.device), cpu, gpu or gpu:N"));

    static NetworkConfig from(String name, ConfigNode n) {
        if (!name.matches("[A-Za-z][A-Za-z0-9_-]*")) {
            throw n.error("", "network name '" + name + "' must start with a letter and use letters, digits, - or _");
        }
        String arch = SECTION.key("arch").readText(n);
        String model = SECTION.key("model").readText(n);
        if (arch == null && model == null) {
            throw n.error("arch", "is required (or model: a TorchScript module to train)");
        }
        if (arch != null && model != null) {
            throw n.error("model", model + " and arch " + arch + " both given: a network is one or the other");
        }
        String init = SECTION.key("init").readText(n);
        if (model != null && init != null) {
            throw n.error("init", init + ": a TorchScript student starts from its own weights (init is for distill4j "
                    + "architectures)");
        }
        String device = SECTION.key("device").readText(n);
        if (!device.equals("default") && !TrainConfig.isDevice(device) || device.equals("auto")) {
            throw n.error("device", "'" + device + "' is not default (the run's train.device), cpu, gpu or gpu:N");
        }
        return new NetworkConfig(name, arch, model, init, device);
    }
}
