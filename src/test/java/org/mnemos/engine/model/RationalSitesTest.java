package org.mnemos.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rational sites across FOSTER's extractors, as the authors keep them: the old extractor's carried
 * sites are frozen, the new extractor's start as copies of them, and only the carried ones go on to
 * the next phase; a single backbone keeps training all of its sites.
 */
class RationalSitesTest {

    private static RationalActivations carried(float first, float second) throws Exception {
        float[] a = RationalActivations.reluInit();
        float[] b = RationalActivations.reluInit();
        a[0] = first;
        b[0] = second;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RationalActivations.of(List.of(a, b)).write(new DataOutputStream(bytes));
        return RationalActivations.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void aSecondExtractorsSitesStartFromTheCarriedOnesWhichStayFrozenAndAloneAreCarriedOn() throws Exception {
        RationalActivations activations = carried(7f, 9f);
        Object oldBlock = new Object();
        Object newBlock = new Object();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            RationalActivations.Forward forward = activations.forward(m, false);
            var x = m.create(new float[] {0.5f});
            forward.apply(oldBlock, 0, x);
            forward.apply(oldBlock, 1, x);
            forward.apply(newBlock, 0, x);
            forward.apply(newBlock, 1, x);
        }
        assertThat(activations.siteCount()).isEqualTo(4);
        assertThat(activations.coefficients().get(2)[0]).isEqualTo(7f);
        assertThat(activations.coefficients().get(3)[0]).isEqualTo(9f);
        assertThat(activations.learns(0)).isFalse();
        assertThat(activations.learns(1)).isFalse();
        assertThat(activations.learns(2)).isTrue();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        activations.write(new DataOutputStream(bytes));
        RationalActivations next =
                RationalActivations.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(next.siteCount()).isEqualTo(2);
        assertThat(next.coefficients().get(0)[0]).isEqualTo(7f);
    }

    @Test
    void aSingleBackboneTrainsAndCarriesAllItsSites() throws Exception {
        RationalActivations activations = carried(7f, 9f);
        Object block = new Object();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            RationalActivations.Forward forward = activations.forward(m, false);
            var x = m.create(new float[] {0.5f});
            forward.apply(block, 0, x);
            forward.apply(block, 1, x);
        }
        assertThat(activations.siteCount()).isEqualTo(2);
        assertThat(activations.learns(0)).isTrue();
        assertThat(activations.learns(1)).isTrue();
        RationalActivations fresh = new RationalActivations();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            fresh.forward(m, false).apply(block, 0, m.create(new float[] {0.5f}));
        }
        assertThat(fresh.coefficients().get(0)).containsExactly(RationalActivations.reluInit());
        assertThat(fresh.learns(0)).isTrue();
    }
}
