package io.distill4j.methods;

import io.distill4j.config.ConfigNode;
import io.distill4j.config.RunConfig;

import java.util.List;

/**
 * What a method factory gets: its own config section (read options from it; unknown keys are rejected after),
 * the whole run config, the names of the trainable networks, and the data's shape.
 */
public record MethodSetup(ConfigNode options, RunConfig run, List<String> networks, int numClasses,
                          int trainSize) {
}
