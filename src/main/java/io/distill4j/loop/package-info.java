/** The training loop: steps, the learning-rate schedule, the update and its non-finite policy, evaluation, the listener contract, and the training state a checkpoint holds. */
package io.distill4j.loop;
