package org.mnemos.engine.parts;

import java.util.ArrayList;
import java.util.List;
import org.mnemos.engine.parts.memory.MemoryUpdate;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.phase.PhaseHook;

/**
 * A run's parts for one phase, as they are composed: the method part sets the method, the model
 * parts add hooks after the method's own, the memory parts assemble the exemplar memory of a method
 * that keeps one. Fresh hooks: a composition serves one phase.
 */
public final class Composition {

    private CilMethod method;
    private final List<PhaseHook> hooks = new ArrayList<>();
    private MemoryUpdate.Builder memory;

    /** The method composed so far; null before the method part has run. */
    public CilMethod method() {
        return method;
    }

    public void method(CilMethod method) {
        this.method = method;
    }

    /** A hook of a model part, run after the method's own hooks. */
    public void addHook(PhaseHook hook) {
        hooks.add(hook);
    }

    /** The memory being assembled, or null where the method keeps no exemplars. */
    public MemoryUpdate.Builder memory() {
        return memory;
    }

    void startMemory(MemoryUpdate.Builder memory) {
        this.memory = memory;
    }

    CilMethod build() {
        return method.withParts(List.copyOf(hooks), memory == null ? null : memory.build());
    }
}
