package io.distill4j.data;

import io.distill4j.UserError;
import io.distill4j.util.FileDigest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code distill4j data fetch NAME}: downloads a dataset from its official source into
 * {@code ~/.distill4j/datasets/NAME}, verifies each file's MD5 (the values torchvision lists), and unpacks
 * archives. A file is written under a temporary name and renamed only once verified.
 */
public final class DatasetFetcher {
    /** One file of a dataset. */
    public record Source(String url, String fileName, String md5, boolean extract) {}

    private static final String MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/";
    private static final String FASHION = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    /** Official sources; MD5s as listed by torchvision (datasets/mnist.py, cifar.py) and the CIFAR page. */
    public static Map<String, List<Source>> official() {
        Map<String, List<Source>> m = new LinkedHashMap<>();
        m.put("mnist", List.of(
                new Source(MNIST + "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873", false),
                new Source(MNIST + "train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432", false),
                new Source(MNIST + "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3", false),
                new Source(MNIST + "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c", false)));
        m.put("fashion-mnist", List.of(
                new Source(FASHION + "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", false),
                new Source(FASHION + "train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe", false),
                new Source(FASHION + "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79", false),
                new Source(FASHION + "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310", false)));
        m.put("cifar10", List.of(new Source("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                "cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530", true)));
        m.put("cifar100", List.of(new Source("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
                "cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8", true)));
        m.put("tiny-imagenet", List.of(new Source("http://cs231n.stanford.edu/tiny-imagenet-200.zip",
                "tiny-imagenet-200.zip", "90528d7ca1a48142e341f4ef8d21d0de", true)));
        return m;
    }

    private final Map<String, List<Source>> catalogue;

    public DatasetFetcher() {
        this(official());
    }

    public DatasetFetcher(Map<String, List<Source>> catalogue) {
        this.catalogue = catalogue;
    }

    public Path fetch(String name, Path dir, PrintStream log) {
        List<Source> sources = catalogue.get(name);
        if (sources == null) {
            throw new UserError("data fetch: unknown dataset '" + name + "' (known: "
                    + String.join(", ", catalogue.keySet()) + ")");
        }
        Path target = dir != null ? dir : Path.of(System.getProperty("user.home"), ".distill4j", "datasets", name);
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new UserError(target + ": cannot create folder: " + e.getMessage());
        }
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        for (Source s : sources) {
            Path file = target.resolve(s.fileName());
            if (Files.exists(file) && md5(file).equals(s.md5())) {
                log.println(file + ": present, checksum ok");
            } else {
                download(http, s, file, log);
            }
            if (s.extract()) {
                extract(file, target, log);
            }
        }
        return target;
    }

    private static void download(HttpClient http, Source s, Path file, PrintStream log) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(s.url())).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                throw new UserError(s.url() + ": HTTP " + r.statusCode());
            }
            long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest md = MessageDigest.getInstance("MD5");
            try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                long done = 0;
                int lastDecile = -1;
                for (int k; (k = in.read(buf)) > 0; ) {
                    out.write(buf, 0, k);
                    md.update(buf, 0, k);
                    done += k;
                    int decile = length > 0 ? (int) (10 * done / length) : -1;
                    if (decile != lastDecile && decile >= 0) {
                        log.printf("%s: %d%% of %.1f MB%n", s.fileName(), decile * 10, length / 1e6);
                        lastDecile = decile;
                    }
                }
            }
            String actual = HexFormat.of().formatHex(md.digest());
            if (!actual.equals(s.md5())) {
                throw new UserError(s.url() + ": checksum mismatch (MD5 expected " + s.md5() + ", got " + actual + ")");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new UserError(s.url() + ": download failed (" + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : "") + "); this machine may have no network: "
                    + "place " + s.fileName() + " in " + file.getParent() + " by hand");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError(s.url() + ": download interrupted");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a leftover .part file is harmless
                }
            }
        }
    }

    static String md5(Path file) {
        return FileDigest.hex(file, "MD5");
    }

    /** Unpacks a .tar.gz / .tgz / .zip into {@code dir}, refusing entries that would land outside it. */
    static void extract(Path archive, Path dir, PrintStream log) {
        String n = archive.getFileName().toString();
        Path root = dir.toAbsolutePath().normalize();
        int count = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            if (n.endsWith(".zip")) {
                try (ZipInputStream zip = new ZipInputStream(raw)) {
                    for (ZipEntry e; (e = zip.getNextEntry()) != null; count++) {
                        write(root, archive, e.getName(), e.isDirectory(), zip);
                    }
                }
            } else if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
                try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
                    for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; count++) {
                        if (e.isSymbolicLink() || e.isLink()) {
                            continue; // datasets need no links, and links could point outside
                        }
                        write(root, archive, e.getName(), e.isDirectory(), tar);
                    }
                }
            } else {
                throw new UserError(archive + ": unknown archive type");
            }
        } catch (IOException e) {
            throw new UserError(archive + ": cannot unpack: " + e.getMessage());
        }
        log.println(archive.getFileName() + ": unpacked " + count + " entries into " + root);
    }

    private static void write(Path root, Path archive, String name, boolean directory, InputStream in)
            throws IOException {
        Path out = root.resolve(name).normalize();
        if (!out.startsWith(root)) {
            throw new UserError(archive + ": entry '" + name + "' would be written outside " + root);
        }
        if (directory) {
            Files.createDirectories(out);
        } else {
            Files.createDirectories(out.getParent());
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
