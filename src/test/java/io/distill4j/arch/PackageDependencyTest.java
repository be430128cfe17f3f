package io.distill4j.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dependencies point one way. Each package may import only the packages listed for it (and the root
 * package's {@code UserError}); a new package must be placed here. The order, from the bottom:
 * util, config, data, models, losses, foreign, tensorboard (the event-file format); runtime (networks with
 * optimizers, checkpoints, state); knowledge (soft-target sources any method can reuse); methods (the method
 * contract, and one folder per method); run (what a run is made of, built from a config in one place);
 * teacherstore (stores of the teachers' outputs, built before training); loop (the training loop and its
 * listener contract); runfolder (a run's output folder and the listeners that write it); analysis (calibration,
 * agreement and flatness of restored runs); report (files a run writes, summaries, tables); export (a trained
 * network as ONNX or DJL model); inference (the Classifier API); bench (the bench modes: steps, memory, data,
 * inference, teachers); sweep (many runs as processes); api (training, sweeps, reports and
 * analyses from Java, which the commands call); cli.
 */
class PackageDependencyTest {
    static final Map<String, List<String>> ALLOWED = Map.ofEntries(
            Map.entry("util", List.of()),
            Map.entry("config", List.of("util")),
            Map.entry("data", List.of("util", "config")),
            Map.entry("models", List.of("util")),
            Map.entry("losses", List.of("util")),
            Map.entry("runtime", List.of("util", "config", "models")),
            Map.entry("foreign", List.of("util", "models")),
            Map.entry("tensorboard", List.of("util")),
            Map.entry("knowledge", List.of("util", "config", "models", "losses", "runtime", "foreign")),
            Map.entry("methods", List.of("util", "config", "data", "models", "losses", "runtime", "knowledge")),
            Map.entry("run", List.of("util", "config", "data", "models", "runtime", "foreign", "knowledge",
                    "methods")),
            Map.entry("teacherstore", List.of("util", "config", "data", "runtime", "knowledge", "run")),
            Map.entry("loop", List.of("util", "config", "data", "models", "runtime", "knowledge", "methods", "run",
                    "teacherstore")),
            Map.entry("runfolder", List.of("util", "config", "data", "runtime", "tensorboard", "run", "loop")),
            Map.entry("analysis", List.of("util", "config", "data", "models", "runtime", "methods", "run", "loop")),
            Map.entry("report", List.of("util", "config", "runtime", "analysis")),
            Map.entry("export", List.of("util", "config", "data", "models", "runtime", "run")),
            Map.entry("inference", List.of("util", "config", "data", "models", "runtime", "foreign", "run",
                    "export")),
            Map.entry("bench", List.of("util", "config", "data", "models", "runtime", "foreign", "knowledge", "methods",
                    "run", "teacherstore", "loop", "export", "inference")),
            Map.entry("sweep", List.of("util", "config", "runtime", "run", "runfolder", "report")),
            Map.entry("api", List.of("util", "config", "data", "runtime", "run", "loop", "runfolder", "analysis",
                    "report", "sweep")),
            Map.entry("cli", List.of("util", "config", "data", "models", "losses", "runtime", "foreign", "knowledge",
                    "methods", "run", "teacherstore", "loop", "runfolder", "bench", "analysis", "report", "export",
                    "inference", "sweep", "api")));

    @Test
    void everyImportFollowsTheLayering() throws IOException {
        Path root = Path.of("src/main/java/io/distill4j");
        Pattern imp = Pattern.compile("^import (?:static )?io\\.distill4j\\.([a-z]+)\\.", Pattern.MULTILINE);
        List<String> violations = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(files).hasSizeGreaterThan(50);
        for (Path f : files) {
            Path rel = root.relativize(f);
            if (rel.getNameCount() == 1) {
                continue; // the root package (UserError) depends on nothing of ours
            }
            String pkg = rel.getName(0).toString();
            assertThat(ALLOWED).as("package %s is not placed in the layering", pkg).containsKey(pkg);
            Matcher m = imp.matcher(Files.readString(f));
            while (m.find()) {
                String target = m.group(1);
                if (!target.equals(pkg) && !ALLOWED.get(pkg).contains(target)) {
                    violations.add(rel + " imports " + target);
                }
            }
            // fully qualified references in code count too
            Matcher q = Pattern.compile("\\bio\\.distill4j\\.([a-z]+)\\.[A-Z]").matcher(Files.readString(f));
            while (q.find()) {
                String target = q.group(1);
                if (!target.equals(pkg) && !ALLOWED.get(pkg).contains(target)) {
                    violations.add(rel + " refers to " + target);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    /**
     * A method is a folder ({@code methods/<name>/}: the method and everything only it uses): a method's folder
     * imports the shared contract ({@code methods}), the registered loss terms ({@code methods/terms/}, shared by
     * every method made of them) and shared parts, never another method's folder; the terms import no method.
     */
    @Test
    void aMethodsFolderImportsNoOtherMethodsFolder() throws IOException {
        Path methods = Path.of("src/main/java/io/distill4j/methods");
        Pattern imp = Pattern.compile("\\bio\\.distill4j\\.methods\\.([a-z0-9]+)\\.[A-Z]");
        List<String> violations = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(methods)) {
            files = s.filter(p -> p.toString().endsWith(".java") && methods.relativize(p).getNameCount() == 2)
                    .toList();
        }
        assertThat(files).hasSizeGreaterThan(13);
        for (Path f : files) {
            String own = methods.relativize(f).getName(0).toString();
            Matcher m = imp.matcher(Files.readString(f));
            while (m.find()) {
                if (!m.group(1).equals(own) && !m.group(1).equals("terms")) {
                    violations.add(methods.relativize(f) + " uses methods." + m.group(1));
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
