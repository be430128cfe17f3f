/** Measuring where time and memory go, one class per bench mode: methods' training steps, memory, MKF's fraction solvers, the data pipeline, inference of exports, teachers against PyTorch. */
package io.distill4j.bench;
