package io.distill4j.config;

import io.distill4j.methods.MethodRegistry;
import io.distill4j.models.ModelRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every config shipped under configs/ is valid: known keys, values in range, known method and architectures. */
class ShippedConfigsTest {
    @Test
    void allShippedConfigsValidate() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("configs"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        for (Path f : files) {
            RunConfig c = ConfigLoader.load(f, List.of());
            MethodRegistry.resolve(c);
            c.root().finish();
            for (NetworkConfig n : c.networks()) {
                ModelRegistry.build(n.arch(), 1, 10);
            }
            for (TeacherConfig t : c.teachers()) {
                if (t.model() != null) { // a model file from elsewhere, shipped in the repository
                    assertThat(Path.of(t.model())).as("%s: teachers.%s.model", f, t.name()).isRegularFile();
                } else {
                    ModelRegistry.build(t.arch(), 1, 10);
                }
            }
        }
    }
}
