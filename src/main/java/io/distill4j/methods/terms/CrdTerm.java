package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import io.distill4j.config.Option;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.FeatureLoss;
import io.distill4j.methods.Losses;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.runtime.Stateful;
import io.distill4j.util.Scalars;

import java.util.List;

/**
 * Term {@code crd}: contrastive representation distillation (docs/methods.md section 12),
 * {@code weight * (NCE_s + NCE_t)}. Its parts: two trainable embedding heads ({@link Embedding}, networks
 * {@code crd_embed_student} and {@code crd_embed_teacher}) on the pooled features, and a memory of one embedding per
 * training sample of each side ({@link ContrastMemory}): each sample's own row and {@code nce_k} rows of other classes
 * give the scores {@code exp(v . m / T) / Z}; after the update the batch's rows move toward the batch's embeddings.
 * Logged as {@code crd}.
 */
public final class CrdTerm implements Term {
    public static final String STUDENT_HEAD = "crd_embed_student";
    public static final String TEACHER_HEAD = "crd_embed_teacher";

    /** Options of {@code crd}. */
    public record Options(
            @Option(doc = "weight of the two NCE losses", value = "0.8", min = 0, max = 1e6) double weight,
            @Option(doc = "dimension of the embeddings", value = "128", min = 1, max = 65536) int featDim,
            @Option(doc = "negatives per sample, drawn from other classes without replacement", value = "16384",
                    min = 1, max = 1e9) int nceK,
            @Option(doc = "temperature T of the scores exp(v . m / T)", value = "0.07", min = 1e-4, max = 1e3)
            double nceT,
            @Option(doc = "momentum of the memory's update", value = "0.5", min = 0, max = 1) double momentum) {}

    private final Options options;
    private final Optimizers optimizers;
    private final ContrastMemory memory;
    private Net embedStudent;
    private Net embedTeacher;
    private NDArray idx;
    private NDArray teacherMemory;
    private NDArray studentMemory;

    /**
     * @param labels  the training samples' labels by dataset index (negatives come from other classes)
     * @param classes the class count
     * @param seed    the run's seed (the memory's initial rows)
     */
    public CrdTerm(Options options, TermSite site, Optimizers optimizers, int[] labels, int classes, long seed) {
        this.options = options;
        this.optimizers = optimizers;
        int available = ContrastMemory.negativesAvailable(labels, classes);
        if (options.nceK() > available) {
            throw site.error("nce_k", options.nceK() + " negatives per sample, but the training set has "
                    + labels.length + " samples, of which " + available + " lie outside the largest class: give "
                    + "nce_k <= " + available);
        }
        this.memory = new ContrastMemory("crd/memory", labels, classes, options.featDim(), options.momentum(), seed);
    }

    @Override
    public Reads reads() {
        return new Reads(true, List.of(), List.of(), true);
    }

    @Override
    public void attach(NDManager manager, Net student, Teacher teacher) {
        FeatureStages.requireFeatures(teacher);
        long ds = FeatureStages.studentShapes(student, List.of()).get(0).get(1);
        long dt = FeatureStages.teacherShapes(teacher, student, List.of()).get(0).get(1);
        embedStudent = head(manager, STUDENT_HEAD, ds);
        embedTeacher = head(manager, TEACHER_HEAD, dt);
    }

    private Net head(NDManager manager, String name, long inputDim) {
        NDManager hm = manager.newSubManager();
        Embedding block = new Embedding(options.featDim());
        block.setInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.IN, 1), Parameter.Type.WEIGHT);
        block.initialize(hm, DataType.FLOAT32, new Shape(1, inputDim));
        return optimizers.trainable(name, block, hm);
    }

    @Override
    public List<Net> ownNetworks() {
        return embedStudent == null ? List.of() : List.of(embedStudent, embedTeacher);
    }

    @Override
    public List<Stateful> state() {
        return List.of(memory);
    }

    @Override
    public List<String> notes() {
        return List.of("crd memory: " + memory.samples() + " samples x " + memory.dim() + " dimensions x 2 sides, "
                + options.nceK() + " negatives per sample");
    }

    @Override
    public void prepare(TermInputs in) {
        int[] indices = in.batch().indices();
        long[] drawn = memory.sample(indices, options.nceK(), in.ctx().rng("crd/negatives"));
        NDManager m = in.batch().manager();
        idx = m.create(drawn, new Shape(indices.length, options.nceK() + 1L));
        teacherMemory = memory.memory(m, ContrastMemory.TEACHER);
        studentMemory = memory.memory(m, ContrastMemory.STUDENT);
    }

    @Override
    public void add(TermInputs in, Losses out) {
        NDArray vs = embedStudent.logits(in.studentPooled(), true);
        NDArray vt = embedTeacher.logits(in.teacherPooled(), true);
        NDArray nceS = FeatureLoss.nce(scores(vs, teacherMemory, ContrastMemory.STUDENT), memory.samples());
        NDArray nceT = FeatureLoss.nce(scores(vt, studentMemory, ContrastMemory.TEACHER), memory.samples());
        out.add(in.student().name(), "crd", Scalars.mul(nceS.add(nceT), (float) options.weight()))
                .alsoStep(STUDENT_HEAD).alsoStep(TEACHER_HEAD)
                .keep("crd/student", vs).keep("crd/teacher", vt);
    }

    @Override
    public void after(TermInputs in, Losses losses) {
        int[] indices = in.batch().indices();
        memory.update(ContrastMemory.STUDENT, indices, losses.output("crd/student").toFloatArray());
        memory.update(ContrastMemory.TEACHER, indices, losses.output("crd/teacher").toFloatArray());
    }

    /**
     * {@code exp(v_b . m_j / T) / Z} for the rows j of the drawn indices (B, 1 + K) of the memory; Z of {@code side}
     * set at its first use to the mean score times the number of samples.
     */
    private NDArray scores(NDArray v, NDArray mem, int side) {
        NDArray all = v.matMul(mem.transpose()); // (B, samples): cheaper than gathering B (1 + K) rows here
        NDArray e = Scalars.mul(all.gather(idx, 1), (float) (1 / options.nceT())).exp();
        float z = memory.normalizer(side, e.stopGradient().mean().getFloat() * memory.samples());
        return Scalars.div(e, z);
    }
}
