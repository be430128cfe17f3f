package io.distill4j.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distill4j.ImageFiles;
import io.distill4j.export.onnx.Onnx;
import io.distill4j.runtime.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input catalogue: every case is a command line a user could type, with the files it needs. Each must
 * exit non-zero with no stack trace, end with one line naming the offending file, key or value (the expected
 * fragments), and leave nothing that looks like a finished run.
 */
class BadInputCatalogueTest {
    @TempDir
    static Path dir;

    static Path ckpt;         // a finished tiny run's last checkpoint (resnet8, one network "student")
    static Path finishedRun;  // that run's folder

    static final String TINY = """
            seed: 1
            data: {name: fashion-mnist-mini, train_subset: 128}
            networks: {student: {arch: resnet8}}
            train: {epochs: 1, batch_size: 64, threads: 1}
            optim: {lr: 0.05}
            """;

    private static PrintStream oldOut;
    private static PrintStream oldErr;

    @BeforeAll
    static void trainOnce() throws IOException {
        oldOut = System.out;
        oldErr = System.err;
        finishedRun = dir.resolve("finished");
        Path c = write("tiny.yaml", TINY);
        System.setErr(new PrintStream(new ByteArrayOutputStream()));
        System.setOut(new PrintStream(new ByteArrayOutputStream()));
        assertThat(Main.execute("train", "-c", c.toString(), "-o", finishedRun.toString())).isZero();
        ckpt = finishedRun.resolve("checkpoints/last.ckpt");
    }

    @AfterAll
    static void restoreStreams() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    static Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    /** A case: a name, how to make its command line, and fragments its last line must contain. */
    record Case(String name, Setup setup, String... expected) {}

    interface Setup {
        String[] args() throws IOException;
    }

    static String tiny(String extra) throws IOException {
        return write("c-" + Integer.toHexString(extra.hashCode()) + ".yaml", TINY + extra).toString();
    }

    static String[] train(String config, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "-c", config, "-o", dir.resolve("out-" + config.hashCode()
                + "-" + Arrays.hashCode(more)).toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static String[] trainSet(String... sets) throws IOException {
        List<String> more = new ArrayList<>();
        for (String s : sets) {
            more.add("--set");
            more.add(s);
        }
        return train(tiny(""), more.toArray(String[]::new));
    }

    static Path idxFolder(String name, int trainSide, int testSide) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        Files.write(d.resolve("train-images-idx3-ubyte"), idxImages(4, trainSide));
        Files.write(d.resolve("train-labels-idx1-ubyte"), idxLabels(4));
        Files.write(d.resolve("t10k-images-idx3-ubyte"), idxImages(2, testSide));
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), idxLabels(2));
        return d;
    }

    static byte[] idxImages(int n, int side) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        o.writeInt(0x00000803);
        o.writeInt(n);
        o.writeInt(side);
        o.writeInt(side);
        o.write(new byte[n * side * side]);
        return b.toByteArray();
    }

    static byte[] idxLabels(int n) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        o.writeInt(0x00000801);
        o.writeInt(n);
        for (int i = 0; i < n; i++) {
            o.write(i % 10);
        }
        return b.toByteArray();
    }

    /** train/<a,b>/ with images (or none), val/<a,b>/ with images (or none). */
    static Path imageFolder(String name, int trainImages, int valImages) throws IOException {
        Path d = dir.resolve(name);
        for (String split : List.of("train", "val")) {
            for (String cls : List.of("a", "b")) {
                Path c = d.resolve(split).resolve(cls);
                Files.createDirectories(c);
                int n = split.equals("train") ? trainImages : valImages;
                for (int i = 0; i < n; i++) {
                    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png",
                            c.resolve(i + ".png").toFile());
                }
            }
        }
        return d;
    }

    /** A small folder of JPEG and PNG photographs, train/c0, c1 and val/c0, c1. */
    static Path photos(String name) throws IOException {
        Path d = dir.resolve(name);
        ImageFiles.folder(d, 2, 4);
        return d;
    }

    static Path corrupted(String name, int offsetFromMiddle) throws IOException {
        byte[] b = Files.readAllBytes(ckpt);
        b[b.length / 2 + offsetFromMiddle] ^= 0x10;
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    static Path nanWeights() throws IOException {
        Checkpoint c = Checkpoint.read(ckpt);
        try (var m = NDManager.newBaseManager()) {
            var params = c.arrays("net/student/params", m);
            var nan = new NDList();
            params.forEach(a -> nan.add(a.mul(Float.NaN)));
            c.putArrays("net/student/params", nan);
        }
        Path p = dir.resolve("nan.ckpt");
        c.write(p);
        return p;
    }

    static String[] eval(String... more) {
        List<String> a = new ArrayList<>(List.of("eval", "-c", finishedRun.resolve("config.yaml").toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static List<Case> cases() {
        return List.of(
                // config: keys, types, ranges, structure
                new Case("unknown key", () -> trainSet("train.epoch=3"), "train.epoch", "known keys"),
                new Case("not a number", () -> trainSet("train.epochs=abc"), "train.epochs", "integer"),
                new Case("out of range", () -> trainSet("train.epochs=0"), "train.epochs", "outside"),
                new Case("negative lr", () -> trainSet("optim.lr=-1"), "optim.lr", "outside"),
                new Case("negative threads", () -> trainSet("train.threads=-1"), "train.threads", "outside"),
                new Case("bad choice of schedule", () -> trainSet("optim.schedule=linear"), "linear", "cosine"),
                new Case("multistep without milestones", () -> trainSet("optim.schedule=multistep"), "milestones"),
                new Case("no networks", () -> train(write("nonet.yaml", "data: {name: fashion-mnist-mini}\n").toString()),
                        "networks", "is required"),
                new Case("unknown method", () -> trainSet("method.name=magic"), "magic", "known"),
                new Case("unknown term of compose", () -> train(write("compose-kl.yaml", "networks: {student: {arch: "
                        + "resnet8}}\nmethod: {name: compose, terms: [{loss: ce}, {loss: kl}]}\n").toString()),
                        "method.terms[1].loss", "unknown term 'kl'", "known: ce, kd"),
                new Case("method option outside its section", () -> trainSet("method.name=dlb", "method.temperature=3"),
                        "method.temperature", "dlb: {temperature"),
                new Case("unknown option in a method section", () -> trainSet("method.kd.temprature=4"),
                        "method.kd.temprature"),
                new Case("bad choice in a method section", () -> trainSet("method.name=dlb", "method.dlb.forward=both"),
                        "both", "separate"),
                new Case("method needs more networks", () -> trainSet("method.name=dml"), "dml", "two networks"),
                new Case("kd without a teacher", () -> trainSet("method.name=kd"), "kd", "teacher"),
                new Case("invalid YAML", () -> train(write("broken.yaml", "seed: 1\ndata: {name: [\n").toString()),
                        "broken.yaml", "invalid YAML"),
                new Case("config file missing", () -> train(dir.resolve("nope.yaml").toString()), "nope.yaml", "not found"),
                new Case("config is a list", () -> train(write("list.yaml", "- a\n- b\n").toString()), "list.yaml", "mapping"),
                new Case("a section that is a value", () -> trainSet("train=3"), "train", "section"),
                new Case("--set without =", () -> train(tiny(""), "--set", "train.epochs"), "train.epochs", "key=value"),
                // networks and teachers
                new Case("unknown architecture", () -> trainSet("networks.student.arch=resnet9"), "resnet9",
                        "networks.student.arch", ".yaml"),
                new Case("zero width resnet", () -> trainSet("networks.student.arch=resnet8x0"), "resnet8x0",
                        "networks.student.arch"),
                new Case("zero width wrn", () -> trainSet("networks.student.arch=wrn-16-0"), "wrn-16-0"),
                new Case("absurd depth", () -> trainSet("networks.student.arch=resnet99999999998"),
                        "resnet99999999998"),
                new Case("gpu device without CUDA", () -> trainSet("networks.student.device=gpu:7"),
                        "networks.student.device", "gpu:7"),
                new Case("teacher checkpoint missing", () -> trainSet("teachers.t.arch=resnet8",
                        "teachers.t.checkpoint=" + dir.resolve("none.ckpt"), "method.name=kd"),
                        "teachers.t.checkpoint", "none.ckpt"),
                new Case("teacher of another architecture", () -> trainSet("teachers.t.arch=resnet14",
                        "teachers.t.checkpoint=" + ckpt, "method.name=kd"), "last.ckpt", "resnet8", "resnet14"),
                new Case("init checkpoint missing", () -> trainSet("networks.student.init=" + dir.resolve("x.ckpt")),
                        "networks.student.init", "x.ckpt"),
                // data
                new Case("batch larger than the data", () -> trainSet("train.batch_size=1000"), "batch_size", "128"),
                new Case("subset larger than the data", () -> trainSet("data.train_subset=999999"), "train_subset"),
                new Case("label noise mapping of the wrong size", () -> trainSet("data.label_noise=0.2",
                        "data.label_noise_mapping=[1, 2]"), "label_noise_mapping"),
                new Case("unknown dataset", () -> trainSet("data.name=imagenet-42"), "imagenet-42"),
                new Case("dataset root missing", () -> trainSet("data.name=mnist", "data.root=" + dir.resolve("nomnist")),
                        "nomnist"),
                new Case("IDX train and test of different sizes", () -> trainSet("data.name=mnist",
                        "data.root=" + idxFolder("idx-mismatch", 28, 32), "data.train_subset=null"), "idx-mismatch"),
                new Case("image folder without images", () -> trainSet("data.name=image-folder",
                        "data.root=" + imageFolder("noimages", 0, 0), "data.train_subset=null"), "noimages"),
                new Case("image folder with an empty validation split", () -> trainSet("data.name=image-folder",
                        "data.root=" + imageFolder("noval", 2, 0), "data.train_subset=null"), "noval"),
                new Case("image folder with an empty class folder and a file that is not an image", () -> {
                    Path d = photos("oddfiles");
                    Files.createDirectories(d.resolve("train/c2"));
                    Files.writeString(d.resolve("train/c0/notes.txt"), "x");
                    return trainSet("data.name=image-folder", "data.root=" + d, "data.train_subset=null");
                }, "2 problem(s)", "notes.txt", "not an image", "train/c2: class folder has no images"),
                new Case("image list naming missing files and an unknown label", () -> {
                    Path d = photos("listed");
                    Path list = write("listed.csv", "path,label\nlisted/train/c0/img000.jpg,0\nlisted/gone1.jpg,0\n"
                            + "listed/gone2.png,1\nlisted/train/c1/img001.png,7\n");
                    Path test = write("listed-test.csv", "path,label\nlisted/val/c0/img100.jpg,0\n");
                    return trainSet("data.name=image-list", "data.train_list=" + list, "data.test_list=" + test,
                            "data.classes=" + write("listed-classes.txt", "cat\ndog\n"), "data.train_subset=null");
                }, "3 problem(s)", "gone1.jpg: missing", "gone2.png: missing", "label '7'"),
                new Case("a truncated JPEG met in training", () -> {
                    Path d = photos("truncated");
                    Path bad = d.resolve("train/c1/img002.jpg");
                    byte[] b = Files.readAllBytes(bad);
                    Files.write(bad, Arrays.copyOf(b, b.length / 2));
                    return trainSet("data.name=image-folder", "data.root=" + d, "data.train_subset=null",
                            "train.batch_size=4");
                }, "img002.jpg", "truncated", "on_bad_image"),
                // command line
                new Case("unknown option", () -> new String[] {"train", "--bogus"}, "--bogus", "--help"),
                new Case("train without a config", () -> new String[] {"train"}, "-c"),
                new Case("negative --stop-after-steps", () -> train(tiny(""), "--stop-after-steps", "-1"),
                        "--stop-after-steps", "-1"),
                new Case("zero --stop-after-steps", () -> train(tiny(""), "--stop-after-steps", "0"),
                        "--stop-after-steps"),
                new Case("eval with a bad split", () -> eval("--checkpoint", ckpt.toString(), "--split", "dev"),
                        "--split", "dev"),
                new Case("eval with too many checkpoints", () -> eval("--checkpoint", ckpt.toString(), "--checkpoint",
                        ckpt.toString()), "--checkpoint", "2 given"),
                // checkpoints
                new Case("eval of a missing checkpoint", () -> eval("--checkpoint", dir.resolve("gone.ckpt").toString()),
                        "gone.ckpt", "not found"),
                new Case("eval of a file that is not a checkpoint", () -> eval("--checkpoint",
                        write("text.ckpt", "hello").toString()), "text.ckpt", "not a distill4j checkpoint"),
                new Case("eval of a truncated checkpoint", () -> {
                    byte[] b = Files.readAllBytes(ckpt);
                    Path p = dir.resolve("cut.ckpt");
                    Files.write(p, Arrays.copyOf(b, b.length / 2));
                    return eval("--checkpoint", p.toString());
                }, "cut.ckpt"),
                new Case("eval of a checkpoint with a flipped byte", () -> eval("--checkpoint",
                        corrupted("flipped.ckpt", 3).toString()), "flipped.ckpt"),
                new Case("eval of a checkpoint with NaN weights", () -> eval("--checkpoint", nanWeights().toString()),
                        "nan.ckpt", "'student'", "NaN"),
                new Case("eval of a checkpoint of another architecture", () -> eval("--set",
                        "networks.student.arch=resnet14", "--checkpoint", ckpt.toString()), "last.ckpt", "resnet8"),
                // output folders and resume
                new Case("-o at a finished run", () -> new String[] {"train", "-c", tiny(""), "-o",
                        finishedRun.toString()}, "finished run", "--force"),
                new Case("-o at a started run", () -> {
                    Path half = dir.resolve("half");
                    Files.createDirectories(half.resolve("checkpoints"));
                    Files.copy(ckpt, half.resolve("checkpoints/last.ckpt"));
                    return new String[] {"train", "-c", tiny(""), "-o", half.toString()};
                }, "half", "--resume"),
                new Case("-o under a file", () -> new String[] {"train", "-c", tiny(""), "-o",
                        write("afile", "x").resolve("run").toString()}, "afile", "not a folder"),
                new Case("--resume of a folder without a checkpoint", () -> new String[] {"train", "--resume",
                        Files.createDirectories(dir.resolve("empty-run")).toString()}, "empty-run", "nothing to resume"),
                new Case("--resume with a different config", () -> {
                    Path r = dir.resolve("resume-changed");
                    Files.createDirectories(r.resolve("checkpoints"));
                    Files.copy(ckpt, r.resolve("checkpoints/last.ckpt"));
                    Files.copy(finishedRun.resolve("config.yaml"), r.resolve("config.yaml"));
                    return new String[] {"train", "--resume", r.toString(), "--set", "optim.lr=0.2"};
                }, "differs", "same config"),
                // teachers from elsewhere (fixtures: tools/make_foreign_teachers.py)
                new Case("a teacher model that does not exist", () -> train(tiny(kdTeacher("nowhere/teacher.pt"))),
                        "teacher.pt", "not found"),
                new Case("an empty ONNX teacher", () -> train(tiny(kdTeacher(fixture("empty.onnx")))), "empty.onnx",
                        "empty"),
                new Case("a teacher file that is not a model", () -> train(tiny(kdTeacher(fixture("not-a-model.pt")))),
                        "not-a-model.pt", "not a TorchScript model"),
                new Case("a truncated TorchScript teacher", () -> train(tiny(kdTeacher(fixture("truncated.pt")))),
                        "truncated.pt", "not a TorchScript model"),
                new Case("a truncated ONNX teacher", () -> train(tiny(kdTeacher(fixture("truncated.onnx")))),
                        "truncated.onnx", "not an ONNX model"),
                new Case("an ONNX teacher whose input is not an image batch", () -> train(tiny(kdTeacher(
                        fixture("rank2-input.onnx")))), "rank2-input.onnx", "rank 4"),
                new Case("a TorchScript teacher with 7 outputs for 10 classes", () -> train(tiny(kdTeacher(
                        fixture("wrong-output.pt")))), "wrong-output.pt", "7 outputs", "10 classes"),
                new Case("an ONNX teacher with 7 outputs for 10 classes", () -> train(tiny(kdTeacher(
                        fixture("wrong-output.onnx")))), "wrong-output.onnx", "7 outputs"),
                new Case("a colour teacher given a gray input it cannot take", () -> train(tiny(kdTeacher(
                        fixture("tiny-color.onnx")))), "tiny-color.onnx", "channels"),
                new Case("a teacher whose classes are not the dataset's", () -> train(tiny(kdTeacher(
                        fixture("tiny-gray.pt") + ", classes: [a, b, c, d, e, f, g, h, i, j]"))), "tiny-gray.pt",
                        "classes differ", "Trouser"),
                new Case("a teacher at chance level", () -> train(tiny(kdTeacher(fixture("tiny-gray.onnx")))),
                        "tiny-gray.onnx", "chance", "input contract"),
                new Case("an ONNX teacher with an operator ONNX Runtime lacks", () -> train(tiny(kdTeacher(
                        unknownOperatorModel().toString()))), "unknown-op.onnx", "operator", "FancyPool"),
                // feature methods (docs/methods.md sections 10 to 12)
                new Case("a stage name that does not exist", () -> trainSet("teachers.t.arch=resnet8",
                        "teachers.t.checkpoint=" + ckpt, "method.name=at", "method.at.stages=stage1,stage9"),
                        "method.at.stages", "stage9", "stage3"),
                new Case("fitnet stages of different channels with no regressor allowed", () -> trainSet(
                        "networks.student.arch=resnet8x2", "teachers.t.arch=resnet8", "teachers.t.checkpoint=" + ckpt,
                        "method.name=fitnet", "method.fitnet.regressor=false"), "method.fitnet.regressor",
                        "64 channels", "32"),
                new Case("crd with more negatives than samples", () -> trainSet("teachers.t.arch=resnet8",
                        "teachers.t.checkpoint=" + ckpt, "method.name=crd"), "method.crd.nce_k", "16384", "128 samples"),
                new Case("a feature method with a teacher that gives logits only", () -> train(tiny(
                        "teachers: {teacher: {model: " + fixture("tiny-gray.onnx") + "}}\nmethod: {name: at}\n")),
                        "teachers.teacher", "no features"));
    }

    /** An ONNX model (N, 1, 28, 28) -> (N, 10) whose one node is an operator no runtime has: FancyPool. */
    static Path unknownOperatorModel() throws IOException {
        var shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : new long[] {1, 28, 28}) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        var type = Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape));
        var graph = Onnx.GraphProto.newBuilder().setName("g")
                .addNode(Onnx.NodeProto.newBuilder().setOpType("FancyPool").setName("n")
                        .addInput("input").addOutput("logits"))
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("input").setType(type))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("logits"));
        var model = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("")
                        .setVersion(13))
                .setGraph(graph).build();
        Path p = dir.resolve("unknown-op.onnx");
        Files.write(p, model.toByteArray());
        return p;
    }

    /** A KD config section with one teacher under model: (the rest of the entry appended as given). */
    static String kdTeacher(String modelAndMore) {
        return "teachers: {teacher: {model: " + modelAndMore + "}}\nmethod: {name: kd}\n";
    }

    static String fixture(String name) {
        return Path.of("src/test/resources/io/distill4j/teachers", name).toAbsolutePath().toString();
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputIsOneLineNamingTheCulprit() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(40);
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Path> summariesBefore = summaries();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Main.execute(c.setup().args());
            } finally {
                System.setErr(oldErr);
                System.setOut(oldOut);
            }
            String e = err.toString(StandardCharsets.UTF_8);
            assertThat(code).as("%s: exit code (stderr: %s)", c.name(), e).isNotZero();
            assertThat(e).as(c.name()).doesNotContain("Exception:").doesNotContain("\tat ");
            List<String> lines = e.lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as(c.name()).isNotEmpty();
            String last = lines.get(lines.size() - 1);
            assertThat(last).as(c.name()).startsWith("distill4j: error: ").contains(c.expected());
            assertThat(summaries()).as("%s: no new finished run", c.name()).isEqualTo(summariesBefore);
        }));
    }

    @org.junit.jupiter.api.Test
    void aThreadCountThatIsNotOneIsRefusedByTheLauncher() throws Exception {
        for (String bad : List.of("0", "-2", "two", "")) {
            ProcessBuilder pb = new ProcessBuilder("bash", "bin/distill4j", "--help").redirectErrorStream(true);
            pb.environment().put("DISTILL4J_THREADS", bad);
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("DISTILL4J_THREADS='%s'", bad).isEqualTo(2);
            assertThat(text.strip()).startsWith("distill4j: error: DISTILL4J_THREADS='" + bad + "'")
                    .contains("1 to 9999").hasLineCount(1);
        }
    }

    @org.junit.jupiter.api.Test
    void anUnknownAllocatorIsRefusedByTheLauncher() throws Exception {
        for (String bad : List.of("jemalloc", "TCMALLOC", " ")) {
            ProcessBuilder pb = new ProcessBuilder("bash", "bin/distill4j", "--help").redirectErrorStream(true);
            pb.environment().put("DISTILL4J_MALLOC", bad);
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("DISTILL4J_MALLOC='%s'", bad).isEqualTo(2);
            assertThat(text.strip()).startsWith("distill4j: error: DISTILL4J_MALLOC='" + bad + "'")
                    .contains("auto, tcmalloc, mimalloc or system").hasLineCount(1);
        }
    }

    private static List<Path> summaries() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().equals("summary.json")).sorted().toList();
        }
    }
}
