/** The Java API: a config, train and resume into a run folder, sweeps, reports and analyses of finished runs; each command of the command line parses its options and calls it. */
package io.distill4j.api;
