/** A run's output folder and the listeners that write it: metrics.jsonl, summary.json, TensorBoard, progress, best and last checkpoints, the machines a run ran on. */
package io.distill4j.runfolder;
