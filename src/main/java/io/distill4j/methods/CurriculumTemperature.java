package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import io.distill4j.models.Network;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.util.Scalars;

/**
 * CTKD's learnable temperature (Li et al., AAAI 2023; docs/methods.md section 18), a plug-in for a method whose loss
 * takes a temperature: one parameter theta (the official code's global temperature, {@code torch.ones(1)}), the
 * temperature {@code T = t_start + t_end * sigmoid(theta)}, trained by the run's optimizer (the same SGD, learning
 * rate, momentum and weight decay as the student: the code appends the module to the student's parameter list)
 * through a gradient reversal layer: theta's gradient is multiplied by {@code -lambda}, so the temperature
 * <em>ascends</em> the distillation loss that the student descends. The curriculum raises lambda from 0 to
 * {@code lambda_max} as {@code lambda_max (1 - cos(pi p)) / 2} with p the {@link Warmup} progress over
 * {@code epochs} (the code's {@code CosineDecay(max 0, min -1, loops 10)} fed to a layer that multiplies the
 * gradient by its argument: -1 at full strength). It is a network of the method ({@link Method#ownNetworks}), so
 * checkpoints carry theta and its momentum; methods log {@link #value}.
 */
public final class CurriculumTemperature {
    /** The own network's name: no network of the run may take it. */
    public static final String NAME = "temperature";

    private final double tStart;
    private final double tEnd;
    private final double lambdaMax;
    private final int epochs;
    private final Warmup.By by;
    private final Net net;

    public CurriculumTemperature(NDManager manager, Optimizers optimizers, double init, double tStart, double tEnd,
                                 double lambdaMax, int epochs, Warmup.By by) {
        this.tStart = tStart;
        this.tEnd = tEnd;
        this.lambdaMax = lambdaMax;
        this.epochs = epochs;
        this.by = by;
        NDManager m = manager.newSubManager();
        Theta block = new Theta(init);
        block.initialize(m, DataType.FLOAT32, new Shape(1));
        this.net = optimizers.trainable(NAME, block, m);
    }

    /** The network holding theta, for {@link Method#ownNetworks} and {@link Losses#alsoStep}. */
    public Net net() {
        return net;
    }

    /** The reversal's strength lambda at this step: {@code lambda_max (1 - cos(pi p)) / 2}. */
    public double lambda(StepContext ctx) {
        return lambda(Warmup.weight(epochs, by, ctx));
    }

    /** The strength at curriculum progress {@code p} in [0, 1]. */
    public double lambda(double p) {
        return lambdaMax * 0.5 * (1 - Math.cos(Math.PI * p));
    }

    /**
     * The temperature (shape 1) inside the gradient tape, theta passed through the reversal layer of strength
     * {@code lambda}: forward {@code theta}, backward {@code -lambda * grad}, written {@code sg(theta) - lambda *
     * (theta - sg(theta))} (sg: stop-gradient), whose forward value is theta exactly.
     */
    public NDArray temperature(double lambda) {
        NDArray theta = theta();
        NDArray fixed = theta.stopGradient();
        NDArray reversed = fixed.sub(Scalars.mul(theta.sub(fixed), (float) lambda));
        return Scalars.add(Scalars.mul(Activation.sigmoid(reversed), (float) tEnd), (float) tStart);
    }

    /** The current temperature, {@code t_start + t_end * sigmoid(theta)}. */
    public double value() {
        double theta = theta().getFloat(0);
        return tStart + tEnd / (1 + Math.exp(-theta));
    }

    private NDArray theta() {
        return net.block().getParameters().get(Theta.NAME).getArray();
    }

    /** A block of one parameter, theta (shape 1), initialised to a constant. */
    static final class Theta extends Network {
        static final String NAME = "theta";

        Theta(double init) {
            super("curriculum-temperature", 1);
            addParameter(Parameter.builder().setName(NAME).setType(Parameter.Type.OTHER).optShape(new Shape(1))
                    .optInitializer(new ConstantInitializer((float) init)).build());
        }

        @Override
        public int featureDim() { return 1; }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            return new NDList(ps.getValue(parameters.get(NAME), inputs.head().getDevice(), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(1)};
        }
    }
}
