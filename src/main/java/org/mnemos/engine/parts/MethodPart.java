package org.mnemos.engine.parts;

import java.util.Arrays;
import java.util.List;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MethodSpec;

/**
 * A part chosen at {@code method}: a class-incremental method, its options (the record {@code S}
 * of its name: the JSON reader refuses any other field) and how it is built as a
 * {@link CilMethod}.
 *
 * @param <S> the method's options
 */
public abstract class MethodPart<S extends MethodSpec> implements Part<S> {

    private final String name;
    private final String description;
    private final Class<S> specType;

    protected MethodPart(String name, String description, Class<S> specType) {
        this.name = name;
        this.description = description;
        this.specType = specType;
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
    public final Class<S> specType() {
        return specType;
    }

    @Override
    public final String description() {
        return description;
    }

    /** The {@code method.*} fields the method reads: its options' record components but the name. */
    public final List<String> options() {
        return Arrays.stream(specType.getRecordComponents())
                .map(component -> component.getName())
                .filter(option -> !option.equals("name"))
                .toList();
    }

    /** The method on its own, its unset options at their defaults; fresh hooks on every call. */
    public abstract CilMethod create(S spec);

    /** The method a run executes: {@link #create}, unless the run's other parts change it (LwF with a memory). */
    public CilMethod forRun(S spec, ExperimentSpec run) {
        return create(spec);
    }

    /** {@link #create} of a spec of any type: the method's own options, or its defaults where {@code spec} is another's. */
    public final CilMethod createAny(MethodSpec spec) {
        return create(own(spec));
    }

    /** {@link #forRun} of the run's method spec. */
    public final CilMethod forRunAny(ExperimentSpec run) {
        return forRun(own(run.method()), run);
    }

    /** The method with every option at its default. */
    public final CilMethod createDefault() {
        return createAny(MethodSpec.named(name));
    }

    /** {@code spec} as this method's options; a spec of another type (a name without options) stands for the defaults. */
    final S own(MethodSpec spec) {
        if (specType.isInstance(spec)) {
            return specType.cast(spec);
        }
        MethodSpec defaults = MethodSpec.named(name);
        if (!specType.isInstance(defaults)) {
            throw new IllegalArgumentException("method '" + name + "' takes " + specType.getSimpleName());
        }
        return specType.cast(defaults);
    }

    /** Whether the method keeps exemplars only when the spec gives it a memory (LwF). */
    public boolean takesOptionalMemory() {
        return false;
    }

    /** Whether the method dreams its replay and takes no exemplar memory at all. */
    public boolean isDataFree() {
        return false;
    }

    @Override
    public void compose(S spec, ExperimentSpec run, Composition composition) {
        composition.method(forRun(spec, run));
    }
}
