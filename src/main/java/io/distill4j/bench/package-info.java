/** Measuring where time goes: the data pipeline alone, apart from the training step. */
package io.distill4j.bench;
