package io.distill4j.methods.crd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.FeatureLoss;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.FeatureStages;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.runtime.Stateful;
import io.distill4j.util.Scalars;

import java.util.List;

/**
 * Method {@code crd}: Tian et al.'s contrastive representation distillation (ICLR 2020; docs/methods.md section
 * 12) from one frozen distill4j teacher: {@code ce_weight * CE + crd_weight * (NCE_s + NCE_t)}. Two trainable
 * embedding heads (linear, then L2 norm) map the student's and the teacher's pooled features to {@code feat_dim}.
 * A memory ({@link ContrastMemory}) holds one embedding per training sample of each side. For each sample, its own
 * row and {@code nce_k} rows of samples of other classes give scores {@code exp(v . m / T) / Z}: the student's
 * embedding against the teacher's memory (NCE_s) and the teacher's embedding against the student's memory (NCE_t),
 * each scored by CRD's NCE loss with a uniform noise distribution. After the update the batch's rows of the memory
 * move toward the batch's embeddings with {@code momentum}. Defaults are the article's: 16,384 negatives, T 0.07,
 * momentum 0.5, 128 dimensions, weight 0.8.
 */
public final class Crd implements Method {
    static final String STUDENT_HEAD = "crd_embed_student";
    static final String TEACHER_HEAD = "crd_embed_teacher";

    /** Options of {@code crd}. */
    public record Options(
            @Option(doc = "dimension of the embeddings", value = "128", min = 1, max = 65536) int featDim,
            @Option(doc = "negatives per sample, drawn from other classes without replacement", value = "16384",
                    min = 1, max = 1e9) int nceK,
            @Option(doc = "temperature T of the scores exp(v . m / T)", value = "0.07", min = 1e-4, max = 1e3)
            double nceT,
            @Option(doc = "momentum of the memory's update", value = "0.5", min = 0, max = 1) double momentum,
            @Option(doc = "weight of the cross-entropy on the hard labels", value = "1", min = 0, max = 1e6)
            double ceWeight,
            @Option(doc = "weight of the two NCE losses", value = "0.8", min = 0, max = 1e6) double crdWeight) {}

    private final Options options;
    private final ConfigNode section;
    private final Optimizers optimizers;
    private final ContrastMemory memory;
    private Net embedStudent;
    private Net embedTeacher;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "crd");
        if (cfg.networks().stream().anyMatch(n -> n.name().startsWith("crd_embed_"))) {
            throw ConfigChecks.error(cfg, "the network names crd_embed_* are taken by crd");
        }
    }

    public Crd(Options options, MethodSetup setup) {
        this.options = options;
        this.section = FeatureStages.section(setup, "crd");
        this.optimizers = setup.optimizers();
        int[] labels = setup.trainLabels();
        int available = ContrastMemory.negativesAvailable(labels, setup.numClasses());
        if (options.nceK() > available) {
            throw section.error("nce_k", options.nceK() + " negatives per sample, but the training set has "
                    + labels.length + " samples, of which " + available + " lie outside the largest class: give "
                    + "nce_k <= " + available);
        }
        this.memory = new ContrastMemory("crd/memory", labels, setup.numClasses(), options.featDim(),
                options.momentum(), setup.run().seed());
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        Net student = trainable.get(0);
        Teacher teacher = FeatureStages.requireFeatures(teachers.get(0));
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
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        int[] indices = batch.indices();
        NDArray teacherFeatures = ctx.teacherKnowledge().features(0, x, List.of()).get(1);
        long[] drawn = memory.sample(indices, options.nceK(), ctx.rng("crd/negatives"));
        NDManager m = batch.manager();
        NDArray idx = m.create(drawn, new Shape(indices.length, options.nceK() + 1L));
        NDArray teacherMemory = memory.memory(m, ContrastMemory.TEACHER);
        NDArray studentMemory = memory.memory(m, ContrastMemory.STUDENT);
        Losses losses = ctx.update(() -> {
            NDList s = student.forward(x, true);
            NDArray vs = embedStudent.logits(s.get(1), true);
            NDArray vt = embedTeacher.logits(teacherFeatures, true);
            NDArray nceS = FeatureLoss.nce(scores(vs, teacherMemory, idx, ContrastMemory.STUDENT), memory.samples());
            NDArray nceT = FeatureLoss.nce(scores(vt, studentMemory, idx, ContrastMemory.TEACHER), memory.samples());
            return new Losses()
                    .add(student.name(), "ce", Scalars.mul(batch.crossEntropy(s.get(0)), (float) options.ceWeight()))
                    .add(student.name(), "crd", Scalars.mul(nceS.add(nceT), (float) options.crdWeight()))
                    .alsoStep(STUDENT_HEAD).alsoStep(TEACHER_HEAD)
                    .keep("crd/student", vs).keep("crd/teacher", vt);
        });
        memory.update(ContrastMemory.STUDENT, indices, losses.output("crd/student").toFloatArray());
        memory.update(ContrastMemory.TEACHER, indices, losses.output("crd/teacher").toFloatArray());
        return losses;
    }

    /**
     * {@code exp(v_b . m_j / T) / Z} for the rows j of {@code idx} (B, 1 + K) of the memory; Z of {@code side}
     * set at its first use to the mean score times the number of samples.
     */
    private NDArray scores(NDArray v, NDArray mem, NDArray idx, int side) {
        NDArray all = v.matMul(mem.transpose()); // (B, samples): cheaper than gathering B (1 + K) rows here
        NDArray e = Scalars.mul(all.gather(idx, 1), (float) (1 / options.nceT())).exp();
        float z = memory.normalizer(side, e.stopGradient().mean().getFloat() * memory.samples());
        return Scalars.div(e, z);
    }
}
