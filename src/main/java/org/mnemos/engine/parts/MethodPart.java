package org.mnemos.engine.parts;

import java.util.List;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MethodSpec;

/**
 * A part chosen at {@code method}: a class-incremental method, its options (the {@link MethodSpec}
 * fields it reads; any other set is a problem) and how it is built as a {@link CilMethod}.
 */
public abstract class MethodPart implements Part<MethodSpec> {

    private final String name;
    private final String description;
    private final List<String> options;

    /** @param options the {@code method.*} fields the method reads */
    protected MethodPart(String name, String description, List<String> options) {
        this.name = name;
        this.description = description;
        this.options = List.copyOf(options);
    }

    @Override
    public final String path() {
        return Parts.METHOD;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Class<MethodSpec> specType() {
        return MethodSpec.class;
    }

    @Override
    public final String description() {
        return description;
    }

    /** The {@code method.*} fields the method reads. */
    public final List<String> options() {
        return options;
    }

    /** The method on its own, its unset options at their defaults; fresh hooks on every call. */
    public abstract CilMethod create(MethodSpec spec);

    /** The method a run executes: {@link #create}, unless the run's other parts change it (LwF with a memory). */
    public CilMethod forRun(MethodSpec spec, ExperimentSpec run) {
        return create(spec);
    }

    /** Whether the method keeps exemplars only when the spec gives it a memory (LwF). */
    public boolean takesOptionalMemory() {
        return false;
    }

    /** Whether the method dreams its replay and takes no exemplar memory at all. */
    public boolean isDataFree() {
        return false;
    }

    /** Options of other methods are problems; then the method's own {@link #checkOptions}. */
    @Override
    public final void check(MethodSpec given, ExperimentSpec run, SpecProblems problems) {
        for (var component : MethodSpec.class.getRecordComponents()) {
            String option = component.getName();
            if (option.equals("name") || options.contains(option)) {
                continue;
            }
            Object value;
            try {
                value = component.getAccessor().invoke(given);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (value != null) {
                problems.add(
                        "method." + option,
                        "does not apply to " + name
                                + (options.isEmpty() ? ", which takes no options" : "; its options: " + options));
            }
        }
        checkOptions(given, run, problems);
    }

    /** The method's own options and what it needs of the run's other parts. */
    protected void checkOptions(MethodSpec given, ExperimentSpec run, SpecProblems problems) {}

    @Override
    public void compose(MethodSpec spec, ExperimentSpec run, Composition composition) {
        composition.method(forRun(spec, run));
    }
}
