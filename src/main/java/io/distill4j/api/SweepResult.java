package io.distill4j.api;

import io.distill4j.sweep.SweepRunner;

import java.nio.file.Path;
import java.util.List;

/**
 * What a sweep did: its folder, each run's outcome (empty for a dry run) and the comparison of its runs (null for a
 * dry run or one shard of several: the report waits for every shard's runs).
 */
public record SweepResult(Path folder, List<SweepRunner.Result> runs, Report report) {}
