/** The Java API for training: a config, train and resume into a run folder, sweeps and reports; each command of the command line parses its options and calls it. */
package io.distill4j.api;
