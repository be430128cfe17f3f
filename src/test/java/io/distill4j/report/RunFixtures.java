package io.distill4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small run and sweep folders written by hand, in the old summary schema (best on test, wall_seconds) and the
 * new one (selection, validation and train-fit scores, seed, cost), with metrics.jsonl evaluations at epochs 1-4.
 */
public final class RunFixtures {
    private RunFixtures() {}

    /**
     * Old schema, folders NAME-seedN in {@code dir}: baseline student last top-1 80, 81, 82; dlb 82, 83, 84 (+2 in
     * every seed) and a seed 3 the baseline lacks; dml with two peers, their mean and the ensemble.
     */
    public static List<Path> oldRuns(Path dir) throws IOException {
        List<Path> oldRuns = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            oldRuns.add(oldRun(dir.resolve("baseline-seed" + s), "baseline", 100, 500,
                    new Net("student", "resnet8", 0.805 + 0.01 * s, 0.80 + 0.01 * s)));
            oldRuns.add(oldRun(dir.resolve("dlb-seed" + s), "dlb", 200, 250,
                    new Net("student", "resnet8", 0.825 + 0.01 * s, 0.82 + 0.01 * s)));
            oldRuns.add(oldRun(dir.resolve("dml-seed" + s), "dml", 300, 166,
                    new Net("peer1", "resnet8", 0.80, 0.79 + 0.02 * s), new Net("peer2", "resnet8", 0.80, 0.81 - 0.01 * s),
                    new Net("peers_mean", "mean of 2", 0.80, 0.80 + 0.005 * s),
                    new Net("ensemble", "ensemble", 0.82, 0.815 + 0.005 * s)));
        }
        oldRuns.add(oldRun(dir.resolve("dlb-seed3"), "dlb", 200, 250,
                new Net("student", "resnet8", 0.86, 0.85)));
        return oldRuns;
    }

    /** A new-schema sweep with a manifest: baseline, dlb and baseline@equal-compute, seeds 0-2, reference baseline. */
    public static Path sweep(Path dir) throws IOException {
        // dlb costs 1.5x the time and 2x the images; the equal-compute baseline as much as dlb
        Path sweep = Files.createDirectories(dir);
        List<String> names = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            newRun(sweep.resolve("baseline-seed" + s), "baseline", s, 100, 1000,
                    new Net("student", "resnet8", 0.80 + 0.01 * s, 0.79 + 0.01 * s));
            newRun(sweep.resolve("dlb-seed" + s), "dlb", s, 150, 2000,
                    new Net("student", "resnet8", 0.80 + 0.01 * s + (s == 1 ? -0.005 : 0.01), 0.80));
            newRun(sweep.resolve("baseline@equal-compute-seed" + s), "baseline", s, 150, 2000,
                    new Net("student", "resnet8", 0.805 + 0.01 * s, 0.80 + 0.01 * s));
            names.addAll(List.of("baseline-seed" + s, "dlb-seed" + s, "baseline@equal-compute-seed" + s));
        }
        manifest(sweep, "baseline", names.toArray(String[]::new));
        return sweep;
    }

    /** One network's final scores; the curve climbs to them linearly over four epochs. */
    record Net(String name, String arch, double best, double last) {}

    static Path oldRun(Path dir, String method, double wallSeconds, double imagesPerSec, Net... nets) throws IOException {
        Files.createDirectories(dir);
        StringBuilder s = new StringBuilder("{\"method\":\"" + method + "\",\"networks\":{");
        for (int i = 0; i < nets.length; i++) {
            Net n = nets[i];
            s.append(i > 0 ? "," : "").append(String.format(Locale.ROOT,
                    "\"%s\":{\"arch\":\"%s\",\"best_top1\":%s,\"last_top1\":%s,\"params\":1000}", n.name(), n.arch(),
                    n.best(), n.last()));
        }
        s.append(String.format(Locale.ROOT, "},\"best_epoch\":4,\"wall_seconds\":%s,\"train_images_per_sec\":%s}",
                wallSeconds, imagesPerSec));
        Files.writeString(dir.resolve("summary.json"), s.toString());
        Files.writeString(dir.resolve("config.yaml"), "seed: 0\n");
        Files.writeString(dir.resolve("metrics.jsonl"), metrics(false, nets));
        return dir;
    }

    static Path newRun(Path dir, String method, int seed, double trainSeconds, long backpropagated, Net... nets)
            throws IOException {
        Files.createDirectories(dir);
        StringBuilder s = new StringBuilder("{\"method\":\"" + method + "\",\"selection\":\"validation\",\"seed\":" + seed
                + ",\"networks\":{");
        for (int i = 0; i < nets.length; i++) {
            Net n = nets[i];
            s.append(i > 0 ? "," : "").append(String.format(Locale.ROOT,
                    "\"%s\":{\"arch\":\"%s\",\"best_top1\":%s,\"last_top1\":%s,\"best_validation_top1\":%s,"
                            + "\"last_train_top1\":%s,\"params\":1000}", n.name(), n.arch(), n.best(), n.last(),
                    n.best() + 0.01, Math.min(1, n.last() + 0.1)));
        }
        s.append(String.format(Locale.ROOT, "},\"best_epoch\":3,\"wall_seconds\":%s,\"train_images_per_sec\":500,"
                        + "\"cost\":{\"images_forwarded\":%d,\"images_backpropagated\":%d,\"train_seconds\":%s,"
                        + "\"images_per_sec\":%s,\"epochs\":4,\"steps\":100}}", trainSeconds + 5, 2 * backpropagated,
                backpropagated, trainSeconds, backpropagated / trainSeconds));
        Files.writeString(dir.resolve("summary.json"), s.toString());
        Files.writeString(dir.resolve("config.yaml"), "seed: " + seed + "\n");
        Files.writeString(dir.resolve("metrics.jsonl"), metrics(true, nets));
        return dir;
    }

    private static String metrics(boolean splits, Net... nets) {
        StringBuilder m = new StringBuilder();
        for (int epoch = 1; epoch <= 4; epoch++) {
            m.append(String.format(Locale.ROOT, "{\"event\":\"train\",\"epoch\":%d,\"step\":%d,\"lr\":0.1,"
                    + "\"images_per_sec\":500}\n", epoch, 25 * epoch));
            for (Net n : nets) {
                double top1 = n.last() * (0.6 + 0.1 * epoch);
                double loss = 2.0 / epoch;
                m.append(String.format(Locale.ROOT, "{\"event\":\"eval\",\"epoch\":%d,\"network\":\"%s\",\"top1\":%s,"
                        + "\"top5\":0.99,\"loss\":%s}\n", epoch, n.name(), top1, loss));
                if (splits) {
                    m.append(String.format(Locale.ROOT, "{\"event\":\"eval\",\"epoch\":%d,\"network\":\"%s\",\"top1\":%s,"
                            + "\"top5\":0.99,\"loss\":%s,\"split\":\"validation\"}\n", epoch, n.name(), top1 + 0.01, loss));
                    m.append(String.format(Locale.ROOT, "{\"event\":\"eval\",\"epoch\":%d,\"network\":\"%s\",\"top1\":%s,"
                            + "\"top5\":0.99,\"loss\":%s,\"split\":\"train\"}\n", epoch, n.name(),
                            Math.min(1, top1 + 0.1), loss / 2));
                }
            }
        }
        return m.toString();
    }

    /** A manifest listing runs "VARIANT-seedN" in folders of the same name. */
    static void manifest(Path sweep, String reference, String... variantSeeds) throws IOException {
        List<String> runs = new ArrayList<>();
        for (String vs : variantSeeds) {
            String variant = vs.substring(0, vs.lastIndexOf("-seed"));
            int seed = Integer.parseInt(vs.substring(vs.lastIndexOf("-seed") + 5));
            runs.add(String.format(Locale.ROOT, "{\"name\":\"%s\",\"variant\":\"%s\",\"seed\":%d,\"axes\":{\"seed\":%d},"
                    + "\"overrides\":{},\"dir\":\"%s\",\"compute_matched\":%s}", vs, variant, seed, seed, vs,
                    variant.contains("@") ? "true" : "false"));
        }
        Files.writeString(sweep.resolve("manifest.json"), "{\"name\":\"fixture-sweep\",\"reference\":\"" + reference
                + "\",\"git_commit\":\"abc1234\",\"versions\":{\"distill4j\":\"0.1.0\",\"djl\":\"0.35.1\"},"
                + "\"machine\":{\"cores\":2},\"runs\":[" + String.join(",", runs) + "]}");
    }
}
