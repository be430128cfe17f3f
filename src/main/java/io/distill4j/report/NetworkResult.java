package io.distill4j.report;

/**
 * One network's scores in a run's {@code summary.json}, as fractions in [0, 1]; NaN where the run did not record
 * it (older runs have no validation or train-fit score). {@code bestTop1} is the test top-1 at the selected
 * epoch, {@code bestValidationTop1} the validation top-1 there, {@code lastTrainTop1} the unaugmented fit of the
 * training split at the last evaluation.
 */
public record NetworkResult(String arch, double bestTop1, double lastTop1, double bestValidationTop1,
                            double lastTrainTop1, long params) {}
