package io.distill4j.cli;

import io.distill4j.export.Exporter;
import io.distill4j.export.ModelCard;
import io.distill4j.export.ScriptedExport;
import io.distill4j.export.TrainedNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a trained network as an ONNX model or a DJL model folder, with its class names, input "
                + "shape, normalisation, config and checkpoint (" + ModelCard.FILE + ").",
                "The exported model takes float32 (N, C, H, W) pixels in [0, 1] and normalises them itself; it "
                        + "returns logits (N, classes)."})
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT_OR_RUN",
            description = "a checkpoint (OUT/checkpoints/best.ckpt) or a run folder OUT (its best checkpoint)")
    Path source;

    @Option(names = "--network", paramLabel = "NAME", description = "which network of the checkpoint (default: the "
            + "config's first); OKDCR's second heads are <peer>.c2")
    String network;

    @Option(names = "--format", required = true, paramLabel = "onnx|djl|torchscript", description = "onnx "
            + "(model.onnx) or djl (model-0000.params + serving.properties) for a distill4j network; torchscript "
            + "(model.pt, normalised by the caller) for a TorchScript student")
    String format;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "the export folder to write")
    Path out;

    @Option(names = "--force", description = "replace an earlier export in DIR")
    boolean force;

    @Override
    public Integer call() {
        Exporter.Format f = Exporter.Format.parse(format);
        if (f == Exporter.Format.TORCHSCRIPT) {
            var card = ScriptedExport.export(source, network, out, force);
            System.out.printf("exported %s '%s' (%s, %d classes, input %dx%dx%d, normalised by the caller) from %s to "
                    + "%s (torchscript)%n", card.arch(), card.network(), card.dataset(), card.numClasses(),
                    card.channels(), card.height(), card.width(), card.checkpoint(), out);
            return 0;
        }
        try (TrainedNetwork trained = TrainedNetwork.load(source, network)) {
            Exporter.export(trained, f, out, force);
            var card = trained.card();
            System.out.printf("exported %s '%s' (%s, %d classes, input %dx%dx%d) from %s to %s (%s)%n", card.arch(),
                    card.network(), card.dataset(), card.numClasses(), card.channels(), card.height(), card.width(),
                    card.checkpoint(), out, f.lower());
        }
        return 0;
    }
}
