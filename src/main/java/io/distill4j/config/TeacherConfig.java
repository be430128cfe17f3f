package io.distill4j.config;

/**
 * A frozen teacher under {@code teachers: NAME:}, loaded from a checkpoint written by {@code distill4j train}.
 *
 * @param name       the teacher's name in the run
 * @param arch       its architecture (verified against the checkpoint)
 * @param checkpoint the checkpoint file (e.g. OUT/checkpoints/best.ckpt of a baseline run)
 * @param network    which network of that checkpoint (null: the only one)
 */
public record TeacherConfig(String name, String arch, String checkpoint, String network) {
    static TeacherConfig from(String name, ConfigNode n) {
        return new TeacherConfig(name, n.requireString("arch"), n.requireString("checkpoint"),
                n.string("network", null));
    }
}
