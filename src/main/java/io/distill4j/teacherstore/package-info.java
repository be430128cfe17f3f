/** Stores of the teachers' outputs for every step of a run, built (in one process or in parts) before training starts and read by the methods instead of a teacher forward. */
package io.distill4j.teacherstore;
