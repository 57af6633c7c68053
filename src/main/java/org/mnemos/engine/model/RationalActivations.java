package org.mnemos.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learnable rational activations of CIM's mask model, one per ReLU site of the backbone:
 * Padé activation units of degrees (5, 4), version "A" of Molina et al.'s {@code rational_activations}
 * (the package the authors import): {@code P(x)/Q(x)} with {@code P = Σ_{i≤5} a_i x^i} and
 * {@code Q = 1 + Σ_{j≤4} |b_j x^j|}, initialised to that package's fit of ReLU on [-3, 3].
 *
 * <p>The coefficients live on the host (10 floats per site, sites numbered in the order a forward
 * meets them, which is fixed by the architecture); each forward builds them on the batch's device
 * from there, so a meta step can differentiate them without leaving graph-carrying gradients on
 * long-lived arrays.
 */
public final class RationalActivations {

    public static final int NUMERATOR_TERMS = 6;
    public static final int DENOMINATOR_TERMS = 4;
    public static final int COEFFICIENTS = NUMERATOR_TERMS + DENOMINATOR_TERMS;

    /** rational_activations' rationals_config.json, "Rational_version_A5/4", "relu". */
    static final float[] RELU_INIT = {
        0.029963801610813613f,
        0.6168978366891341f,
        2.37534759733888f,
        3.0659900472408443f,
        1.5246831881677423f,
        0.2528070864040542f,
        -1.191550121923625f,
        4.4080487697236626f,
        0.9110357113686055f,
        0.34884977946384615f
    };

    private final List<float[]> sites = new ArrayList<>();
    private final Map<Object, int[]> siteIndex = new IdentityHashMap<>();
    /** Sites restored from the previous phase ({@link #read}); the first ones a forward meets. */
    private int carried;

    /** A copy of the ReLU fit the sites start from. */
    public static float[] reluInit() {
        return RELU_INIT.clone();
    }

    /** Activations whose sites, in order, start from {@code coefficients} (10 values each). */
    public static RationalActivations of(List<float[]> coefficients) {
        RationalActivations activations = new RationalActivations();
        coefficients.forEach(site -> activations.sites.add(site.clone()));
        return activations;
    }

    /** The coefficients of every site met so far, in site order (copies). */
    public List<float[]> coefficients() {
        return sites.stream().map(float[]::clone).toList();
    }

    public int siteCount() {
        return sites.size();
    }

    /**
     * Whether {@code site} learns: every site, unless a forward met more sites than were carried over
     * (FOSTER's second extractor), when the carried ones, the old extractor's, are frozen as the
     * authors freeze {@code convnets[0]} with its rationals.
     */
    public boolean learns(int site) {
        return carried == 0 || sites.size() <= carried || site >= carried;
    }

    public void setCoefficients(int site, float[] values) {
        System.arraycopy(values, 0, sites.get(site), 0, COEFFICIENTS);
    }

    /**
     * An override that applies the current coefficients, created in {@code manager};
     * with {@code differentiable} each site's coefficients are a leaf that records gradients.
     */
    public Forward forward(NDManager manager, boolean differentiable) {
        return new Forward(manager, differentiable);
    }

    /** P(x)/Q(x) with coefficients {@code (a_0..a_5, b_1..b_4)}: elementwise, differentiable in both. */
    public static NDArray apply(NDArray x, NDArray coefficients) {
        NDArray power = x;
        NDArray numerator = coefficients.get(0).add(x.mul(coefficients.get(1)));
        NDArray denominator = x.mul(coefficients.get(NUMERATOR_TERMS)).abs().add(1f);
        for (int i = 2; i < NUMERATOR_TERMS; i++) {
            power = power.mul(x);
            numerator = numerator.add(power.mul(coefficients.get(i)));
            if (i <= DENOMINATOR_TERMS) {
                denominator = denominator.add(
                        power.mul(coefficients.get(NUMERATOR_TERMS + i - 1)).abs());
            }
        }
        return numerator.div(denominator);
    }

    /**
     * Writes the coefficients carried to the next phase: every site, or with frozen carried sites only
     * those (the authors' student starts from {@code convnets[0]}, whose rationals never change after
     * phase 0; the second extractor's are thrown away with it).
     */
    public void write(DataOutputStream out) throws IOException {
        List<float[]> kept = learns(0) ? sites : sites.subList(0, carried);
        out.writeInt(kept.size());
        for (float[] site : kept) {
            for (float v : site) {
                out.writeFloat(v);
            }
        }
    }

    /** Reads coefficients written by {@link #write}; sites are matched by order. */
    public static RationalActivations read(DataInputStream in) throws IOException {
        RationalActivations activations = new RationalActivations();
        int n = in.readInt();
        for (int s = 0; s < n; s++) {
            float[] site = new float[COEFFICIENTS];
            for (int k = 0; k < COEFFICIENTS; k++) {
                site[k] = in.readFloat();
            }
            activations.sites.add(site);
        }
        activations.carried = n;
        return activations;
    }

    private int site(Object block, int position) {
        int[] positions = siteIndex.computeIfAbsent(block, b -> new int[] {-1, -1});
        if (positions[position] < 0) {
            // a site seen for the first time takes the next number: restored coefficients first; a site beyond them
            // (a second extractor) starts as a copy of the carried site in its place, as the authors' new extractor
            // loads the old one's state; otherwise ReLU's fit
            int next = siteIndex.values().stream()
                    .flatMapToInt(java.util.Arrays::stream)
                    .map(p -> p + 1)
                    .max()
                    .orElse(0);
            positions[position] = next;
            if (next == sites.size()) {
                sites.add(
                        next - carried >= 0 && next - carried < carried
                                ? sites.get(next - carried).clone()
                                : RELU_INIT.clone());
            }
        }
        return positions[position];
    }

    /** One forward pass's view of the coefficients. */
    public final class Forward implements ActivationOverride {
        private final NDManager manager;
        private final boolean differentiable;
        private final Map<Integer, NDArray> arrays = new java.util.TreeMap<>();

        private Forward(NDManager manager, boolean differentiable) {
            this.manager = manager;
            this.differentiable = differentiable;
        }

        @Override
        public NDArray apply(Object block, int position, NDArray x) {
            int site = site(block, position);
            NDArray coefficients = arrays.computeIfAbsent(site, s -> {
                NDArray array = manager.create(sites.get(s));
                if (differentiable) {
                    array.setRequiresGradient(true);
                }
                return array;
            });
            return RationalActivations.apply(x, coefficients);
        }

        /** The gradient of each site this forward used, by site number (zeros for sites it did not reach). */
        public float[][] gradients() {
            float[][] gradients = new float[sites.size()][COEFFICIENTS];
            arrays.forEach(
                    (site, array) -> gradients[site] = array.getGradient().toFloatArray());
            return gradients;
        }

        /** Zeroes the accumulated gradients (the inner level's, before the outer backward). */
        public void zeroGradients() {
            arrays.values().forEach(array -> {
                NDArray gradient = array.getGradient();
                gradient.subi(gradient);
            });
        }
    }
}
