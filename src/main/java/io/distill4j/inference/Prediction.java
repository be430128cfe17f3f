package io.distill4j.inference;

/** One class of a prediction: its index, its name, the probability the model gives it and the logit it came from. */
public record Prediction(int index, String className, double probability, float logit) {}
