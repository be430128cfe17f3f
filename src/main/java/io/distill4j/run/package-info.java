/** What a run is made of (the data, the networks with their optimizers, the teachers, the method), built from a validated config in one place, and the one path that restores it (train, resume and eval alike). */
package io.distill4j.run;
