package org.mnemos.engine.parts.method.dfcil;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mnemos.engine.metrics.InversionMetrics;
import org.mnemos.engine.model.BatchNormTap;
import org.mnemos.engine.model.Generator;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.optim.Adam;
import org.mnemos.engine.optim.Gradients;
import org.mnemos.engine.phase.OuterLoop;
import org.mnemos.engine.phase.TrainingLoop;
import org.mnemos.engine.spec.InversionSpec;
import org.mnemos.engine.util.Autograd;
import org.mnemos.engine.util.PhaseRandom;
import org.mnemos.engine.util.Scalars;

/**
 * The generator of a data-free run and its Adam optimiser, both carried from phase to phase (the
 * authors pass the same generator and optimiser to every phase's teacher): trained after a phase to
 * invert the frozen network, sampled during the next phase's training.
 */
public final class ModelInversion implements AutoCloseable {

    public static final String GENERATOR_FILE = "generator.params";
    public static final String OPTIMIZER_FILE = "generator-adam.bin";
    private static final int LOSS_TERMS = 4;
    /** The progress stage of the generator's training. */
    private static final String STAGE = "inversion";

    private final InversionSpec options;
    private final Generator generator;
    private final Adam optimizer;
    private final ParameterStore parameters;
    private final NDManager manager;

    /** A fresh generator for images of the given shape, initialised from the engine's seeded generator. */
    public ModelInversion(InversionSpec options, int channels, int height, int width, NDManager manager) {
        this.options = options;
        this.manager = manager;
        this.generator = Generator.builder()
                .setImageShape(channels, height, width)
                .optLatentDim(options.latentDim())
                .build();
        generator.initialize(manager, DataType.FLOAT32, new Shape(1, options.latentDim()));
        this.optimizer = Adam.builder().build();
        this.parameters = new ParameterStore(manager, false);
    }

    /** The generator and optimiser a previous phase saved in {@code stateDir}. */
    public static ModelInversion restore(
            InversionSpec options, int channels, int height, int width, NDManager manager, Path stateDir) {
        ModelInversion inversion = new ModelInversion(options, channels, height, width, manager);
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(stateDir.resolve(GENERATOR_FILE))))) {
            inversion.generator.loadParameters(manager, in);
            inversion.trainable().forEach(parameter -> parameter.getArray().setRequiresGradient(true));
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("cannot load the generator from " + stateDir, e);
        }
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(stateDir.resolve(OPTIMIZER_FILE))))) {
            inversion.optimizer.load(in, inversion.trainable());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the generator's optimiser from " + stateDir, e);
        }
        return inversion;
    }

    public void save(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
            try (DataOutputStream out = new DataOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(stateDir.resolve(GENERATOR_FILE))))) {
                generator.saveParameters(out);
            }
            try (DataOutputStream out = new DataOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(stateDir.resolve(OPTIMIZER_FILE))))) {
                optimizer.save(out, trainable());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the generator to " + stateDir, e);
        }
    }

    private List<Parameter> trainable() {
        return generator.getParameters().values().stream()
                .filter(Parameter::requiresGradient)
                .toList();
    }

    /**
     * Trains the generator for {@code options.iterations()} Adam steps to invert {@code teacher}
     * (frozen, evaluation mode) over its first {@code seenClasses} classes: content + class balance
     * + BatchNorm statistics + smoothness.
     */
    public InversionMetrics invert(IncrementalNet teacher, int seenClasses, TrainingLoop phaseLoop) {
        List<Parameter> trainable = trainable();
        int iterations = options.iterations();
        int window = Math.max(1, iterations / 10);
        double[] first = new double[LOSS_TERMS];
        double[] last = new double[LOSS_TERMS];
        Device device = manager.getDevice();
        // a non-finite loss fails the phase: the generator would dream noise for every later phase
        OuterLoop loop = OuterLoop.reporting(phaseLoop, STAGE, OuterLoop.NonFinite.FAIL);
        OuterLoop.Result result = loop.run(iterations, step -> {
            try (NDManager stepManager = manager.newSubManager(device)) {
                Gradients.zero(trainable);
                NDArray[] terms;
                NDArray total;
                Autograd.enable();
                try {
                    terms = loss(teacher, seenClasses, stepManager);
                    total = terms[0].add(terms[1]).add(terms[2]).add(terms[3]);
                    Autograd.backward(total);
                } finally {
                    Autograd.disable();
                }
                float loss = total.getFloat();
                loop.admits(step, loss, Float.isFinite(loss));
                optimizer.step(trainable, options.lr().floatValue());
                boolean inFirst = step < window;
                boolean inLast = step >= iterations - window;
                if (inFirst || inLast) {
                    for (int t = 0; t < LOSS_TERMS; t++) {
                        double value = terms[t].getFloat() / (double) window;
                        if (inFirst) {
                            first[t] += value;
                        }
                        if (inLast) {
                            last[t] += value;
                        }
                    }
                }
                return new OuterLoop.Done(loss, options.batchSize());
            }
        });
        Gradients.zero(trainable);
        return new InversionMetrics(iterations, options.batchSize(), result.seconds(), 0, first, last, null);
    }

    /** The weighted terms of one inversion step: content, class balance, BatchNorm statistics (index 2), smoothness. */
    NDArray[] loss(IncrementalNet teacher, int seenClasses, NDManager stepManager) {
        NDArray z = PhaseRandom.normal(
                stepManager, 0f, 1f, new Shape(options.batchSize(), options.latentDim()), DataType.FLOAT32);
        NDArray images = generator.forward(parameters, new NDList(z), true).head();
        NDArray logits;
        List<BatchNormTap.Observation> layers;
        try (BatchNormTap tap = BatchNormTap.open()) {
            logits = teacher.forward(parameters, new NDList(images), false)
                    .head()
                    .get(":, 0:{}", seenClasses);
            layers = tap.observations();
        }
        return new NDArray[] {
            Scalars.mul(
                    InversionLoss.content(logits, options.tau()),
                    options.contentWeight().floatValue()),
            InversionLoss.classBalance(logits),
            Scalars.mul(
                    InversionLoss.batchNormStatistics(layers, logits),
                    options.bnWeight().floatValue()),
            Scalars.mul(
                    InversionLoss.smoothness(images), options.smoothnessWeight().floatValue())
        };
    }

    /**
     * {@code count} dreamed images (N, C, H, W) in {@code target}'s manager: from the generator in
     * evaluation mode (its BatchNorm layers read their running statistics, the authors' choice), or,
     * with {@code sampleMode: train}, normalised by the drawn batch's own statistics as during the
     * inversion. Call it without gradient recording.
     */
    public NDArray sample(int count, NDManager target) {
        NDArray z = PhaseRandom.normal(target, 0f, 1f, new Shape(count, options.latentDim()), DataType.FLOAT32);
        return generator
                .forward(parameters, new NDList(z), options.samplesInTrainMode())
                .head();
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
