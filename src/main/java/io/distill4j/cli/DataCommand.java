package io.distill4j.cli;

import io.distill4j.bench.DataBench;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.DatasetFetcher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true, description = "Manage datasets.",
        subcommands = {DataCommand.Fetch.class, DataCommand.Bench.class})
public final class DataCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download a dataset from its official source, verify its checksum and unpack it "
                    + "into ~/.distill4j/datasets/NAME (or --dir).")
    static final class Fetch implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "mnist, fashion-mnist, cifar10, cifar100, tiny-imagenet")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", description = "target folder (default ~/.distill4j/datasets/NAME)")
        Path dir;

        @Override
        public Integer call() {
            Path where = new DatasetFetcher().fetch(name, dir, System.err);
            System.out.println(name + " is ready in " + where);
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Time the training batches of a config (decoding, augmentation), without a network.")
    static final class Bench implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "run config")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key")
        List<String> overrides = new ArrayList<>();

        @Option(names = "--batches", paramLabel = "N", description = "batches timed (default 100)")
        int batches = 100;

        @Option(names = "--warmup", paramLabel = "N", description = "batches made before timing (default 5)")
        int warmup = 5;

        @Override
        public Integer call() {
            DataBench.run(ConfigLoader.load(config, overrides), warmup, batches, System.out);
            return 0;
        }
    }
}
