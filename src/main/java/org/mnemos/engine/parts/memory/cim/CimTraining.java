package org.mnemos.engine.parts.memory.cim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mnemos.engine.data.DeviceDataset;
import org.mnemos.engine.memory.ExemplarCompression;
import org.mnemos.engine.metrics.CimMetrics;
import org.mnemos.engine.metrics.PartReport;
import org.mnemos.engine.model.ActivationOverride;
import org.mnemos.engine.model.IncrementalNet;
import org.mnemos.engine.model.RationalActivations;
import org.mnemos.engine.optim.LrSchedules;
import org.mnemos.engine.parts.memory.ClassActivationMaps;
import org.mnemos.engine.phase.OuterLoop;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;
import org.mnemos.engine.phase.Samples;
import org.mnemos.engine.phase.StepHook;
import org.mnemos.engine.phase.TrainingLoop;
import org.mnemos.engine.phase.TrainingStage;
import org.mnemos.engine.phase.loss.LossTerm;
import org.mnemos.engine.phase.loss.StepContext;
import org.mnemos.engine.spec.CimCompressionSpec;
import org.mnemos.engine.util.Autograd;
import org.mnemos.engine.util.Permutations;
import org.mnemos.engine.util.Scalars;

/**
 * CIM's mask model and its bilevel training (Luo et al., CVPR 2023; the authors'
 * {@code models/foster.py}, {@code _init_train}/{@code _feature_boosting}): after each epoch of the
 * main stage, {@code int(#new classes · metaItersPerClass)} meta-iterations, each on two batches of
 * the phase's training data (new classes + exemplars, training augmentation), the network in
 * evaluation mode:
 * <ol>
 *   <li>the mask model (the backbone with rational activations) gives logits and feature maps of the
 *       first batch; its CAMs of the true classes (head weights detached), min-max normalised;</li>
 *   <li>the hybrid image {@code up(cam)·x + (1 − up(cam))·downup(x)} (bilinear up, nearest down/up by √r);</li>
 *   <li>one SGD step of the backbone's trainable weights on the hybrid images under the main stage's
 *       own objective ({@link InnerObjective}; cross-entropy where that needs the previous network), at
 *       the main stage's current learning rate times {@code lrRatio}, kept differentiable ({@code create_graph});</li>
 *   <li>outer loss on the second batch: CE under the stepped weights + divCoef · the mask model's own CE
 *       + regCoef · mean(cam²); its gradient with respect to the activations' coefficients is
 *       clipped to norm {@code maxGradNorm} (√2 times it in incremental phases) and Adam takes a step.</li>
 * </ol>
 * The stepped weights are never written back: only the coefficients learn here.
 *
 * <p>At the start of every {@link CimCompressionSpec#regenerationInterval}-th epoch (neither the first nor the last), the
 * boxes of the new classes' training images are regenerated with the current mask model, and from
 * then on the main stage (and FOSTER's compression stage) is fed each new-class image compressed
 * with a probability of {@code randomCompressionStep} per regeneration so far
 * ({@link RandomCompression}; the authors' {@code _gen_bbx(cam_loader)} and
 * {@code update_randombbxblur_prob}). Both restart with every phase, as the authors' data set does.
 */
public final class CimTraining implements PhaseHook, StepHook {

    static final String STATE_FILE = "cim-activations.bin";
    /** The meta-steps' stage name. */
    private static final String STAGE = "cim-meta";

    private final CimCompressionSpec options;
    private RationalActivations activations = new RationalActivations();
    private final HostAdam adam;
    private DeviceDataset pool;
    private NDManager poolManager;
    private int steps;
    private int skipped;
    private double outerLossSum;
    private double regLossSum;
    private double seconds;
    private RandomCompression randomCompression;
    /** The random compression while the stages that draw compressed images run; null after them. */
    private RandomCompression substitution;

    private int regenerations;

    public CimTraining(CimCompressionSpec options) {
        this.options = options;
        this.adam = new HostAdam(options.activationWeightDecay());
    }

    public RationalActivations activations() {
        return activations;
    }

    @Override
    public void loadState(PhaseSession session, Path previousState) {
        Path file = previousState.resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            activations = RationalActivations.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void saveState(PhaseSession session, Path stateDir) {
        try (DataOutputStream out =
                new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(stateDir.resolve(STATE_FILE))))) {
            activations.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void beforeTraining(PhaseSession session) {
        // the authors create a fresh Adam for the coefficients every task
        adam.reset();
        randomCompression = new RandomCompression(session.manager());
        substitution = randomCompression;
    }

    @Override
    public TrainingLoop.Substitution substitution() {
        return substitution;
    }

    /** Not mid-stage: the mask model's coefficients, their Adam and the random compression change from epoch to epoch, outside a checkpoint. */
    @Override
    public boolean resumesMidStage() {
        return false;
    }

    @Override
    public void afterEpoch(PhaseSession session, int epoch) {
        metaIterations(session, epoch);
        int next = epoch + 1;
        int every = options.regenerationInterval(epochs(session));
        if (RandomCompression.regeneratesAt(next, every, epochs(session))) {
            regenerate(session, RandomCompression.probabilityAt(next, every, options.randomCompressionStep()));
        }
    }

    /** New boxes for the new classes' training images from the current mask model, and the probability that goes with them. */
    private void regenerate(PhaseSession session, double probability) {
        long start = System.nanoTime();
        Samples training = session.training();
        int[] rows = training.indicesOfLabels(session.oldClasses(), session.totalClasses());
        Samples images = training.subset(rows);
        float[][] maps = ClassActivationMaps.heatmaps(
                session, new Samples(images.pixels(), images.labels(), images.imageBytes()), activations);
        int[][] boxes = new int[rows.length][];
        for (int k = 0; k < rows.length; k++) {
            boxes[k] = ExemplarCompression.box(maps[k], session.height(), session.width(), options.threshold());
        }
        randomCompression.regenerate(
                training.size(),
                rows,
                images.pixels(),
                images.labels(),
                boxes,
                session.height(),
                session.width(),
                session.channels(),
                options.ratio(),
                probability);
        regenerations++;
        seconds += (System.nanoTime() - start) / 1e9;
    }

    private void metaIterations(PhaseSession session, int epoch) {
        int newClasses = session.totalClasses() - session.oldClasses();
        int iterations = options.metaIterations(epoch, epochs(session), newClasses);
        int batch = options.metaBatchSize();
        if (iterations == 0 || session.training().size() < 2 * batch) {
            return;
        }
        long start = System.nanoTime();
        if (pool == null) {
            poolManager = session.manager().newSubManager();
            pool = session.upload(session.training(), poolManager);
        }
        double innerLr = mainLr(session, epoch) * options.lrRatio();
        double activationLr =
                LrSchedules.cosine(options.activationLr(), epochs(session)).lr(epoch);
        double maxNorm = options.maxGradNorm() * (session.oldClasses() > 0 ? Math.sqrt(2.0) : 1.0);
        int[] order = new int[pool.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Permutations.shuffle(order, session.rng());
        int[] cursor = {0};
        InnerObjective objective = InnerObjective.of(session);
        // meta-steps run between the main stage's epochs, whose steps make the phase's progress; a step
        // whose outer loss or gradient is not finite is left out, so the coefficients stay finite
        OuterLoop loop = OuterLoop.quiet(session.loop(), STAGE, OuterLoop.NonFinite.SKIP);
        OuterLoop.Result result = loop.run(iterations, it -> {
            if (cursor[0] + 2 * batch > order.length) {
                Permutations.shuffle(order, session.rng());
                cursor[0] = 0;
            }
            long[] first = new long[batch];
            long[] second = new long[batch];
            for (int i = 0; i < batch; i++) {
                first[i] = order[cursor[0] + i];
                second[i] = order[cursor[0] + batch + i];
            }
            cursor[0] += 2 * batch;
            try (NDManager step = session.manager().newSubManager()) {
                NDArray firstIndices = step.create(first);
                NDArray secondIndices = step.create(second);
                NDArray x = session.trainTransform().apply(pool.gather(firstIndices), true, session.rng());
                NDArray y = pool.gatherLabels(firstIndices);
                NDArray nextX = session.trainTransform().apply(pool.gather(secondIndices), true, session.rng());
                NDArray nextY = pool.gatherLabels(secondIndices);
                MetaStep meta = metaStep(
                        session.net(),
                        activations,
                        x,
                        y,
                        nextX,
                        nextY,
                        innerLr,
                        "firstOrder".equals(options.mode()),
                        options.ratio(),
                        options.divCoef(),
                        options.regCoef(),
                        objective,
                        step);
                if (!loop.admits(it, meta.outerLoss(), Double.isFinite(meta.outerLoss()) && finite(meta.gradients()))) {
                    return new OuterLoop.Done(meta.outerLoss(), 2L * batch);
                }
                // FOSTER's frozen old-extractor sites: neither stepped nor counted in the clipped norm
                for (int site = 0; site < meta.gradients().length; site++) {
                    if (!activations.learns(site)) {
                        java.util.Arrays.fill(meta.gradients()[site], 0f);
                    }
                }
                clip(meta.gradients(), maxNorm);
                adam.step(activations, meta.gradients(), activationLr);
                outerLossSum += meta.outerLoss();
                regLossSum += meta.regLoss();
                steps++;
                return new OuterLoop.Done(meta.outerLoss(), 2L * batch);
            }
        });
        skipped += (int) result.skipped();
        seconds += (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void afterMemoryUpdate(PhaseSession session) {
        // FOSTER's compression stage (an afterTraining step) still draws compressed images, as in the authors' code
        substitution = null;
        randomCompression.close();
    }

    @Override
    public void afterTraining(PhaseSession session) {
        if (pool != null) {
            pool.close();
            poolManager.close();
            pool = null;
        }
    }

    @Override
    public PartReport report(PhaseSession session) {
        return new CimMetrics(
                options.mode(),
                steps,
                skipped,
                seconds,
                steps == 0 ? null : outerLossSum / steps,
                steps == 0 ? null : regLossSum / steps,
                regenerations,
                randomCompression.replaced());
    }

    /**
     * The inner step's loss on the hybrid batch: the main stage's own objective (FOSTER's boosting
     * loss: logit-adjusted CE + the new extractor's CE + the old head's KD, as the authors' incremental
     * meta-step; plain CE in phase 0) when none of its terms needs a forward of the previous network;
     * otherwise (iCaRL's distillation, LUCIR, PODNet after phase 0) plain CE, the authors' phase-0 form.
     */
    record InnerObjective(List<LossTerm> terms, int oldClasses, int totalClasses) {

        static InnerObjective of(PhaseSession session) {
            List<LossTerm> terms = session.mainStageLosses();
            if (terms == null || terms.isEmpty() || terms.stream().anyMatch(LossTerm::needsPreviousModel)) {
                return null;
            }
            return new InnerObjective(terms, session.oldClasses(), session.totalClasses());
        }

        NDArray loss(IncrementalNet net, SubstitutedParameters parameters, NDList outputs, NDArray targets) {
            NDArray scale = net.scale() == null ? null : net.scale().getArray();
            var step = new StepContext(
                    outputs,
                    null,
                    targets,
                    oldClasses,
                    totalClasses,
                    scale,
                    (int) outputs.head().getShape().get(0),
                    features -> net.forwardHead(parameters, features, false),
                    null);
            NDArray total = null;
            for (LossTerm term : terms) {
                NDArray value = term.compute(step);
                total = total == null ? value : total.add(value);
            }
            return total;
        }
    }

    /** What one meta-iteration computed: its losses and the coefficients' gradient, by site. */
    record MetaStep(double outerLoss, double innerLoss, double divLoss, double regLoss, float[][] gradients) {}

    /**
     * One meta-iteration's forward and backward (no update): the gradient of the outer loss with
     * respect to every rational coefficient. Arrays live in {@code manager}; the networks are read
     * in evaluation mode and none of their parameters' gradients is touched.
     */
    static MetaStep metaStep(
            IncrementalNet net,
            RationalActivations activations,
            NDArray x,
            NDArray y,
            NDArray nextX,
            NDArray nextY,
            double innerLr,
            boolean firstOrder,
            NDManager manager) {
        CimCompressionSpec defaults = CimCompressionSpec.defaults();
        return metaStep(
                net,
                activations,
                x,
                y,
                nextX,
                nextY,
                innerLr,
                firstOrder,
                defaults.ratio(),
                defaults.divCoef(),
                defaults.regCoef(),
                null,
                manager);
    }

    static MetaStep metaStep(
            IncrementalNet net,
            RationalActivations activations,
            NDArray x,
            NDArray y,
            NDArray nextX,
            NDArray nextY,
            double innerLr,
            boolean firstOrder,
            double ratio,
            double divCoef,
            double regCoef,
            InnerObjective objective,
            NDManager manager) {
        boolean recording = JniUtils.isGradMode();
        Autograd.enable();
        try {
            SubstitutedParameters base = new SubstitutedParameters(manager, Map.of());
            RationalActivations.Forward rational = activations.forward(manager, true);
            NDList maskOut = net.forward(base, new NDList(x), false, ActivationOverride.params(rational));
            NDArray divLoss = crossEntropy(maskOut.get(0), y);
            NDArray weights = ClassActivationMaps.classWeights(net, manager);
            NDArray cams = ClassActivationMaps.normalised(
                    ClassActivationMaps.raw(maskOut.get(maskOut.size() - 1), weights, y));
            NDArray regLoss = cams.square().mean();
            NDArray hybrid = hybrid(x, cams, ratio, manager);

            List<Parameter> inner = innerParameters(net);
            Map<String, NDArray> leaves = new HashMap<>();
            List<NDArray> leafList = new ArrayList<>(inner.size());
            for (Parameter parameter : inner) {
                NDArray leaf = parameter.getArray().duplicate();
                leaf.attach(manager);
                leaf.setRequiresGradient(true);
                leaves.put(parameter.getId(), leaf);
                leafList.add(leaf);
            }
            SubstitutedParameters fast = new SubstitutedParameters(manager, leaves);
            NDList innerOut = net.forward(fast, new NDList(hybrid), false);
            NDArray innerLoss =
                    objective == null ? crossEntropy(innerOut.get(0), y) : objective.loss(net, fast, innerOut, y);
            List<NDArray> gradients;
            if (firstOrder) {
                try (NDArray seed = innerLoss.onesLike()) {
                    JniUtils.backward((PtNDArray) innerLoss, (PtNDArray) seed, true, false);
                }
                gradients = leafList.stream()
                        .map(leaf -> leaf.getGradient().stopGradient())
                        .toList();
            } else {
                // returned, not stored on the leaves: a create-graph gradient on a leaf is a cycle libtorch never frees
                gradients = Autograd.gradients(innerLoss, leafList);
            }
            Map<String, NDArray> stepped = new HashMap<>();
            for (int i = 0; i < inner.size(); i++) {
                stepped.put(inner.get(i).getId(), leafList.get(i).sub(Scalars.mul(gradients.get(i), (float) innerLr)));
            }
            // only the outer loss's gradient counts (the first-order backward above also reached the coefficients)
            rational.zeroGradients();
            NDArray outerCe = crossEntropy(
                    net.forward(new SubstitutedParameters(manager, stepped), new NDList(nextX), false)
                            .get(0),
                    nextY);
            NDArray outerLoss =
                    outerCe.add(Scalars.mul(divLoss, (float) divCoef)).add(Scalars.mul(regLoss, (float) regCoef));
            Autograd.backward(outerLoss);
            return new MetaStep(
                    outerLoss.getFloat(),
                    innerLoss.getFloat(),
                    divLoss.getFloat(),
                    regLoss.getFloat(),
                    rational.gradients());
        } finally {
            if (!recording) {
                Autograd.disable();
            }
        }
    }

    /** {@code up(cam)·x + (1 − up(cam))·downup(x)}: bilinear up of the CAM, nearest down and up of x by √r per side. */
    static NDArray hybrid(NDArray x, NDArray cams, double ratio, NDManager manager) {
        int height = (int) x.getShape().get(2);
        int width = (int) x.getShape().get(3);
        int h = (int) cams.getShape().get(2);
        int w = (int) cams.getShape().get(3);
        NDArray rowsUp = matrix(ExemplarCompression.bilinearMatrix(h, height), manager);
        NDArray colsUp =
                matrix(ExemplarCompression.bilinearMatrix(w, width), manager).transpose();
        NDArray up = rowsUp.matMul(cams.matMul(colsUp));
        NDArray rowsDownUp = matrix(downUp(height, ratio), manager);
        NDArray colsDownUp = matrix(downUp(width, ratio), manager).transpose();
        NDArray compressed = rowsDownUp.matMul(x.matMul(colsDownUp));
        return up.mul(x).add(up.neg().add(1f).mul(compressed));
    }

    /** The one-hot matrix of {@code F.interpolate(nearest)} down to int(side/√r) and back up. */
    private static float[][] downUp(int side, double ratio) {
        int small = ExemplarCompression.downsampledSide(side, ratio);
        float[][] select = new float[side][side];
        for (int i = 0; i < side; i++) {
            int cell = ExemplarCompression.torchNearestIndex(i, small, side);
            select[i][ExemplarCompression.torchNearestIndex(cell, side, small)] = 1f;
        }
        return select;
    }

    private static NDArray matrix(float[][] rows, NDManager manager) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return manager.create(flat, new ai.djl.ndarray.types.Shape(rows.length, rows[0].length));
    }

    /** The weights the inner step adapts: the authors' fast weights, every trainable backbone parameter (not the head). */
    static List<Parameter> innerParameters(IncrementalNet net) {
        return net.backbone().getParameters().values().stream()
                .filter(p -> p.requiresGradient()
                        && p.getType() != Parameter.Type.RUNNING_MEAN
                        && p.getType() != Parameter.Type.RUNNING_VAR)
                .toList();
    }

    static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray picked = logProbabilities.mul(targets.toType(DataType.INT64, false)
                .oneHot((int) logits.getShape().get(1)));
        return picked.sum(new int[] {1}).neg().mean();
    }

    private double mainLr(PhaseSession session, int epoch) {
        TrainingStage stage = session.mainStage();
        double base = stage.optimizer().lr();
        if (stage.iterations() > 0) {
            int samples = Math.max(1, session.training().size());
            int step = (int) Math.min(stage.iterations() - 1L, (long) (epoch + 1) * samples / stage.batchSize() - 1);
            return LrSchedules.create(stage.schedule(), base, stage.iterations())
                    .lr(Math.max(0, step));
        }
        return LrSchedules.create(stage.schedule(), base, stage.epochs()).lr(epoch);
    }

    private static int epochs(PhaseSession session) {
        TrainingStage stage = session.mainStage();
        if (stage.iterations() > 0) {
            int samples = Math.max(1, session.training().size());
            return (int) Math.max(1, ((long) stage.iterations() * stage.batchSize() + samples - 1) / samples);
        }
        return stage.epochs();
    }

    private static boolean finite(float[][] gradients) {
        for (float[] site : gradients) {
            for (float v : site) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code clip_grad_norm_}: scale all gradients by max/(norm + 1e-6) when their joint norm exceeds max. */
    static void clip(float[][] gradients, double maxNorm) {
        double squares = 0;
        for (float[] site : gradients) {
            for (float v : site) {
                squares += (double) v * v;
            }
        }
        double coefficient = maxNorm / (Math.sqrt(squares) + 1e-6);
        if (coefficient < 1) {
            for (float[] site : gradients) {
                for (int k = 0; k < site.length; k++) {
                    site[k] = (float) (site[k] * coefficient);
                }
            }
        }
    }

    /** PyTorch's Adam (betas 0.9/0.999, eps 1e-8, L2 weight decay added to the gradient) on the host coefficients. */
    static final class HostAdam {
        private final double weightDecay;
        private final Map<Integer, double[][]> moments = new HashMap<>();
        private int t;

        HostAdam(double weightDecay) {
            this.weightDecay = weightDecay;
        }

        void reset() {
            moments.clear();
            t = 0;
        }

        void step(RationalActivations activations, float[][] gradients, double lr) {
            t++;
            double correction1 = 1 - Math.pow(0.9, t);
            double correction2 = 1 - Math.pow(0.999, t);
            List<float[]> values = activations.coefficients();
            for (int site = 0; site < gradients.length; site++) {
                if (!activations.learns(site)) {
                    continue;
                }
                double[][] m = moments.computeIfAbsent(site, s -> new double[2][RationalActivations.COEFFICIENTS]);
                float[] p = values.get(site);
                for (int k = 0; k < p.length; k++) {
                    double g = gradients[site][k] + weightDecay * p[k];
                    m[0][k] = 0.9 * m[0][k] + 0.1 * g;
                    m[1][k] = 0.999 * m[1][k] + 0.001 * g * g;
                    double denominator = Math.sqrt(m[1][k]) / Math.sqrt(correction2) + 1e-8;
                    p[k] = (float) (p[k] - lr / correction1 * m[0][k] / denominator);
                }
                activations.setCoefficients(site, p);
            }
        }
    }
}
