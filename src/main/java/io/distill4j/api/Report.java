package io.distill4j.api;

import java.nio.file.Path;

/** A comparison of finished runs: its Markdown table (as {@code distill4j report} prints it) and its HTML page. */
public record Report(String table, Path page) {}
