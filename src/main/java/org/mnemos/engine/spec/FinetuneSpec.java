package org.mnemos.engine.spec;

import java.util.List;

/**
 * Options of the {@code finetune} method.
 *
 * @param loss which logits its cross-entropy covers once there are old classes: {@code allSeen}
 *     (every seen class, the default: plain finetuning, the lower bound) or {@code newOnly} (the
 *     new classes' logits only, as PyCIL's {@code models/finetune.py})
 */
public record FinetuneSpec(String name, String loss) implements MethodSpec {

    public static final String NAME = "finetune";
    public static final String ALL_SEEN = "allSeen";
    public static final String NEW_ONLY = "newOnly";
    public static final List<String> LOSSES = List.of(ALL_SEEN, NEW_ONLY);
}
