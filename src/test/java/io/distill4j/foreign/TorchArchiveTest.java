package io.distill4j.foreign;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.FloatBounds;
import io.distill4j.UserError;
import io.distill4j.util.HostArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.distill4j.foreign.ForeignModelTest.floats;
import static io.distill4j.foreign.ForeignModelTest.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The archive reader against PyTorch's own files (tools/make_scripted_students.py): a {@code torch.save} of known
 * tensors read value for value, a scripted module's parameters equal to what libtorch loads, its buffers present;
 * and a scripted student's logits in DJL against PyTorch 1.13's for the same input.
 */
class TorchArchiveTest {
    static final Path STUDENTS = ScriptedStudentTest.STUDENTS;

    static final List<String> TEN = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    @TempDir
    Path dir;

    @Test
    void aStateDictOfKnownTensorsIsReadValueForValue() {
        Map<String, TorchArchive.Tensor> t = TorchArchive.read(STUDENTS.resolve("state-dict.pth"));
        assertThat(t.keySet()).containsExactly("w", "h", "d", "n");
        // arange(6) as 2x3, transposed: a strided view read out row-major
        assertThat(t.get("w").shape()).containsExactly(3, 2);
        assertThat(t.get("w").values()).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(t.get("h").dtype()).isEqualTo("float16");
        assertThat(t.get("h").values()).containsExactly(1.5f, -2f, 65504f, 0x1p-24f);
        assertThat(t.get("d").values()).containsExactly(0.1f, -3f);
        assertThat(t.get("n").dtype()).isEqualTo("int64");
        assertThat(t.get("n").floating()).isFalse();
        assertThat(t.get("n").shape()).isEmpty();
    }

    @Test
    void aScriptedModulesParametersAreLibtorchsAndItsBuffersAreThere() {
        Path file = STUDENTS.resolve("student-moved.pt");
        Map<String, TorchArchive.Tensor> t = TorchArchive.read(file);
        assertThat(t.keySet()).containsExactly("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                "bn1.running_var", "bn1.num_batches_tracked", "conv2.weight", "bn2.weight", "bn2.bias",
                "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked", "fc.weight", "fc.bias");
        try (NDManager m = NDManager.newBaseManager()) {
            ScriptedStudent s = ScriptedStudent.load(file, "test", m, 1, 28, 28, TEN);
            int matched = 0;
            for (Pair<String, Parameter> p : s.getParameters()) {
                String name = p.getKey();
                assertThat(t).containsKey(name);
                assertThat(t.get(name).values()).as(name).containsExactly(p.getValue().getArray().toFloatArray());
                matched++;
            }
            assertThat(matched).isEqualTo(8); // the parameters libtorch exposes; the four running statistics are not
        }
        // the running statistics moved away from (0, 1) by training-mode forwards in PyTorch
        assertThat(t.get("bn1.running_var").values()).doesNotContain(1f);
    }

    /**
     * The scripted student of tools/make_scripted_students.py in DJL's libtorch against PyTorch 1.13 on the same
     * input, in inference mode (running statistics moved, so they are read): conv3x3 of 1 channel (9 terms), BN,
     * ReLU, max-pool, conv3x3 of 8 (72), BN, ReLU, the mean of 14x14 (196), linear 16: each within
     * {@link FloatBounds#network(int, int...)} of the exact value relative to the sample's largest logit.
     */
    @Test
    void aScriptedStudentsLogitsInDjlArePyTorchsWithinTheForwardErrorBound() throws IOException {
        JsonObject e = JsonParser.parseString(Files.readString(STUDENTS.resolve("student-expected.json")))
                .getAsJsonObject();
        float[] want = floats(e.getAsJsonObject("logits").getAsJsonArray("data"));
        float[] got;
        try (NDManager m = NDManager.newBaseManager()) {
            ScriptedStudent s = ScriptedStudent.load(STUDENTS.resolve("student-moved.pt"), "test", m, 1, 28, 28,
                    TEN);
            JsonObject in = e.getAsJsonObject("input");
            NDArray x = HostArrays.floats(m, floats(in.getAsJsonArray("data")),
                    new Shape(shape(in.getAsJsonArray("shape"))));
            got = s.forward(new ParameterStore(m, false), new NDList(x), false).get(0).toFloatArray();
        }
        double g = FloatBounds.network(10, 9, 72) + FloatBounds.network(0, 196, 16);
        double[] bound = FloatBounds.perSample(got, want, 10, g);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("logit %d (bound %.3g)", i, bound[i]).isCloseTo(want[i], within(bound[i]));
        }
    }

    @Test
    void aFileThatIsNotAnArchiveIsOneLine() throws IOException {
        Path notZip = Files.writeString(dir.resolve("weights.pth"), "not a zip");
        assertThat(TorchArchive.isArchive(notZip)).isFalse();
        assertThatThrownBy(() -> TorchArchive.read(notZip)).isInstanceOf(UserError.class)
                .hasMessage(notZip + ": not a zip file, not a PyTorch archive (a torch.jit.save of a scripted module, "
                        + "or a torch.save of a state dict, PyTorch 1.6 or later)");
    }
}
