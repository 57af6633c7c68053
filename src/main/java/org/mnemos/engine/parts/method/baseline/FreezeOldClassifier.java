package org.mnemos.engine.parts.method.baseline;

import java.util.ArrayList;
import java.util.List;
import org.mnemos.engine.phase.PhaseHook;
import org.mnemos.engine.phase.PhaseSession;

/**
 * LUCIR keeps the old classes' embeddings fixed in incremental phases (its code gives the old
 * cosine-head segment a learning rate of 0): only the backbone, the new segment and the scale learn.
 */
public final class FreezeOldClassifier implements PhaseHook {

    @Override
    public void beforeTraining(PhaseSession session) {
        List<ai.djl.nn.Parameter> old = new ArrayList<>();
        for (int segment = 0; segment < session.net().numSegments() - 1; segment++) {
            old.add(session.net().segmentWeightParameter(segment));
        }
        session.freeze(old);
    }
}
