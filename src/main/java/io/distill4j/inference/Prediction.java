package io.distill4j.inference;

/** One class of a prediction: its index, its name and the probability the model gives it. */
public record Prediction(int index, String className, double probability) {}
