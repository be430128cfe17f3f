package io.distill4j.methods;

import io.distill4j.UserError;
import io.distill4j.config.NetworkConfig;
import io.distill4j.config.RunConfig;
import io.distill4j.models.ModelRegistry;
import io.distill4j.models.SubNetworkSampler;

/**
 * The checks a method makes on the rest of a config before any data is read, each failing with one line that
 * names {@code method.name}: how many networks it trains, and for the sub-network methods (Stochastic Depth,
 * Stimulative Training, MKF) that its one network has residual units to drop.
 */
public final class ConfigChecks {
    private ConfigChecks() {}

    /** The config must have between {@code min} and {@code max} trainable networks. */
    public static void networks(RunConfig cfg, String method, int min, int max, String what) {
        int n = cfg.networks().size();
        if (n < min || n > max) {
            throw error(cfg, method + " " + what + "; the config has " + n + " network" + (n == 1 ? "" : "s"));
        }
    }

    /** One student and one teacher: what {@code kd} and the methods that distil like it require. */
    public static void oneStudentOneTeacher(RunConfig cfg, String method) {
        networks(cfg, method, 1, 1, "trains one student");
        if (cfg.teachers().size() != 1) {
            throw error(cfg, method + " needs exactly one teacher under teachers:, the config has "
                    + cfg.teachers().size());
        }
    }

    /**
     * Every trainable network must be one of distill4j's architectures, not a TorchScript module
     * ({@code networks.NAME.model}), for a method that needs {@code what} of it (which a module does not give).
     */
    public static void distill4jNetworks(RunConfig cfg, String method, String what) {
        for (NetworkConfig n : cfg.networks()) {
            if (n.model() != null) {
                throw cfg.root().child("networks").child(n.name()).error("model", method + " needs " + what
                        + ", which a TorchScript student does not give (it gives logits only): use a logit method (baseline, "
                        + "kd, dkd, meal-v2, dml, dlb, dist, nkd, wttm, mlkd, ctkd, compose of logit terms) or a "
                        + "distill4j arch");
            }
        }
    }

    /** One trainable network with droppable residual units: what a method that samples sub-networks trains. */
    public static void oneResidualNetwork(RunConfig cfg, String method) {
        networks(cfg, method, 1, 1, "trains one network");
        distill4jNetworks(cfg, method, "residual sub-networks to drop");
        SubNetworkSampler.Layout.of(ModelRegistry.build(cfg.networks().get(0).arch(), 1, 10), method);
    }

    /** An error about the chosen method, reported at {@code method.name}. */
    public static UserError error(RunConfig cfg, String message) {
        return cfg.method().error("name", message);
    }
}
