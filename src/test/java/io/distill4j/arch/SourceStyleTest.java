package io.distill4j.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The house style a newcomer relies on: imports sorted within each block and all used, classes named by their
 * import rather than by an inline fully qualified name, and no main source file over 500 lines.
 */
class SourceStyleTest {
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.@\"])(?:java|javax|io\\.distill4j|ai\\.djl|com\\.google|org\\.[a-z]+|com\\.sun|picocli)(?:\\.[a-z0-9_]+)*\\.[A-Z]");
    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");

    private static List<Path> sources(String root) throws IOException {
        try (Stream<Path> s = Files.walk(Path.of(root))) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** Every Java file of the build: distill4j's own and the Spark module's, main and test. */
    private static List<Path> allSources() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String root : List.of("src/main/java", "src/test/java", "spark/src/main/java", "spark/src/test/java")) {
            if (Files.isDirectory(Path.of(root))) {
                all.addAll(sources(root));
            }
        }
        return all;
    }

    @Test
    void importsAreSortedWithinEachBlock() throws IOException {
        List<String> unsorted = new ArrayList<>();
        for (Path f : allSources()) {
            List<String> lines = Files.readAllLines(f);
            String previous = null;
            for (String line : lines) {
                if (!line.startsWith("import ")) {
                    previous = null;
                    continue;
                }
                String key = line.replace(";", "");
                if (previous != null && previous.compareTo(key) > 0) {
                    unsorted.add(f + ": " + line);
                }
                previous = key;
            }
        }
        assertThat(unsorted).isEmpty();
    }

    @Test
    void everyImportIsUsed() throws IOException {
        Pattern simpleName = Pattern.compile("^import (?:static )?[\\w.]+\\.(\\w+);$");
        List<String> unused = new ArrayList<>();
        for (Path f : allSources()) {
            List<String> lines = Files.readAllLines(f);
            String body = String.join("\n", lines.stream().filter(l -> !l.startsWith("import ")).toList());
            for (String line : lines) {
                Matcher m = simpleName.matcher(line);
                if (m.matches() && !Pattern.compile("\\b" + m.group(1) + "\\b").matcher(body).find()) {
                    unused.add(f + ": " + line);
                }
            }
        }
        assertThat(unused).isEmpty();
    }

    @Test
    void codeNamesClassesByImportNotByFullyQualifiedName() throws IOException {
        List<String> qualified = new ArrayList<>();
        for (Path f : allSources()) {
            boolean inComment = false;
            int n = 0;
            for (String line : Files.readAllLines(f)) {
                n++;
                String s = line.strip();
                if (inComment || s.startsWith("/*") || s.startsWith("*") || s.startsWith("//")
                        || s.startsWith("import ") || s.startsWith("package ")) {
                    inComment = (inComment || s.startsWith("/*")) && !s.contains("*/");
                    continue;
                }
                String code = STRING.matcher(line).replaceAll("\"\"");
                int comment = code.indexOf("//");
                Matcher m = QUALIFIED.matcher(comment >= 0 ? code.substring(0, comment) : code);
                if (m.find()) {
                    qualified.add(f + ":" + n + ": " + s);
                }
            }
        }
        assertThat(qualified).isEmpty();
    }

    @Test
    void noMainSourceFileIsOver500Lines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        List<Path> main = new ArrayList<>(sources("src/main/java"));
        if (Files.isDirectory(Path.of("spark/src/main/java"))) {
            main.addAll(sources("spark/src/main/java"));
        }
        for (Path f : main) {
            int lines = Files.readAllLines(f).size();
            if (lines > 500) {
                tooLong.add(f + ": " + lines + " lines");
            }
        }
        assertThat(tooLong).isEmpty();
    }
}
