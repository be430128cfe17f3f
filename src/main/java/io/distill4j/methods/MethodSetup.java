package io.distill4j.methods;

import io.distill4j.config.RunConfig;
import io.distill4j.runtime.Optimizers;

import java.util.List;

/**
 * What a method factory gets besides its options: the whole run config, the names of the trainable
 * networks, the data's shape, the optimizer factory for networks the method creates, and the training samples'
 * labels by dataset index (null where not given: CRD draws its negatives from other classes).
 */
public record MethodSetup(RunConfig run, List<String> networks, int numClasses, int trainSize,
                          Optimizers optimizers, int[] trainLabels) {
}
