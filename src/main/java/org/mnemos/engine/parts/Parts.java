package org.mnemos.engine.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.mnemos.engine.PeakMemory;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.SpecProblems;
import org.mnemos.engine.parts.memory.CompressionParts;
import org.mnemos.engine.parts.memory.MemoryUpdate;
import org.mnemos.engine.parts.memory.SelectorParts;
import org.mnemos.engine.parts.memory.cim.CimPart;
import org.mnemos.engine.parts.memory.mnemonics.MnemonicsPart;
import org.mnemos.engine.parts.method.baseline.BaselineMethods;
import org.mnemos.engine.parts.method.dfcil.DataFreeMethods;
import org.mnemos.engine.parts.method.foster.FosterMethod;
import org.mnemos.engine.parts.model.aanets.AanetsPart;
import org.mnemos.engine.parts.model.scaled.ScaledKernelsPart;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.engine.spec.MemorySpec;
import org.mnemos.engine.spec.MethodSpec;
import org.mnemos.engine.spec.ModelSpec;
import org.mnemos.engine.spec.NamedMethodSpec;

/**
 * THE table of every part, by (spec path, name): the built-in ones, then those registered from
 * outside this code base (a test's toy part, an experiment's own method), for as long as their
 * registration stays open. Checking, resolving, composing and estimating a run all go through it:
 * for each path it finds the part the spec names and hands it the options at that path.
 */
public final class Parts {

    public static final String METHOD = "method";
    public static final String SELECTOR = "memory.selector";
    public static final String COMPRESSION = "memory.compression";
    public static final String AGGREGATION = "model.aggregation";
    public static final String SCALED_KERNELS = "model.scaledKernels";

    private static final List<Part<?>> BUILT_IN = builtIn();
    private static final Map<String, Part<?>> REGISTERED = new ConcurrentHashMap<>();

    private static List<Part<?>> builtIn() {
        // methods in the order the method listing has always had
        List<Part<?>> parts = new ArrayList<>(BaselineMethods.BEFORE_FOSTER);
        parts.add(FosterMethod.PART);
        parts.add(BaselineMethods.LWF_MC);
        parts.addAll(DataFreeMethods.PARTS);
        parts.addAll(SelectorParts.PARTS);
        parts.add(MnemonicsPart.PART);
        parts.addAll(CompressionParts.PARTS);
        parts.add(CimPart.PART);
        parts.add(AanetsPart.PART);
        parts.add(ScaledKernelsPart.PART);
        return List.copyOf(parts);
    }

    /** A part's place in the table; closing it removes the part again. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private Parts() {}

    /** Registers {@code part} under its (path, name), which no other part may hold. */
    public static Registration register(Part<?> part) {
        String key = key(part.path(), part.name());
        if (builtIn(part.path(), part.name()) != null || REGISTERED.putIfAbsent(key, part) != null) {
            throw new IllegalArgumentException("a part named '" + part.name() + "' exists already at " + part.path());
        }
        return () -> REGISTERED.remove(key, part);
    }

    /**
     * Registers the method {@code name} without options, built from a run's method spec by
     * {@code factory}: fresh hooks on every call (a composition serves one phase).
     */
    public static Registration registerMethod(String name, Function<MethodSpec, CilMethod> factory) {
        NamedMethodSpec named = new NamedMethodSpec(name);
        return register(new MethodPart<>(name, factory.apply(named).description(), NamedMethodSpec.class) {
            @Override
            public CilMethod create(NamedMethodSpec spec) {
                return factory.apply(spec);
            }
        });
    }

    /** The part named {@code name} at {@code path}, or null. */
    public static Part<?> find(String path, String name) {
        Part<?> part = builtIn(path, name);
        return part != null ? part : name == null ? null : REGISTERED.get(key(path, name));
    }

    /** Every name a spec may give at {@code path}: the built-in parts', then the registered ones' in order. */
    public static List<String> names(String path) {
        List<String> names = new ArrayList<>(BUILT_IN.stream()
                .filter(p -> p.path().equals(path))
                .map(Part::name)
                .toList());
        REGISTERED.values().stream()
                .filter(p -> p.path().equals(path))
                .map(Part::name)
                .sorted()
                .forEach(names::add);
        return names;
    }

    /** Every method name a run may use. */
    public static List<String> methodNames() {
        return names(METHOD);
    }

    /** Every method part, built-in ones first. */
    public static List<MethodPart<?>> methods() {
        return methodNames().stream().map(Parts::method).toList();
    }

    /** @throws SpecException on {@code method.name} where no method has that name */
    public static MethodPart<?> method(String name) {
        if (name == null) {
            throw new SpecException("method.name", "is required; allowed: " + methodNames());
        }
        if (!(find(METHOD, name) instanceof MethodPart<?> method)) {
            throw new SpecException("method.name", "unknown method '" + name + "'; allowed: " + methodNames());
        }
        return method;
    }

    /** The method of {@code spec} on its own, after its part's checks. */
    public static CilMethod create(MethodSpec spec) {
        MethodPart<?> part = method(spec == null ? null : spec.name());
        SpecProblems problems = new SpecProblems(SpecProblems.Limits.NONE);
        Chosen.of(part, spec).check(null, problems);
        problems.throwFirst();
        return part.createAny(spec);
    }

    /** The method a run executes (LwF's memory variant when the run gives it a memory). */
    public static CilMethod forRun(ExperimentSpec spec) {
        return method(spec.method().name()).forRunAny(spec);
    }

    /**
     * Every problem of the parts a spec names, each with its JSON path: an unknown name at a path,
     * then each chosen part's own check. The service and the engine run this same check.
     */
    public static void check(ExperimentSpec spec, SpecProblems problems) {
        for (Chosen<?> chosen : chosen(spec, problems)) {
            chosen.check(spec, problems);
        }
    }

    /**
     * Every part of a resolved run for one phase, composed: the method, the model's hooks after its
     * own, and the exemplar memory where the method keeps one.
     */
    public static CilMethod compose(ExperimentSpec spec) {
        Composition composition = new Composition();
        List<Chosen<?>> parts = chosen(spec, null);
        for (Chosen<?> chosen : parts) {
            if (!chosen.part().path().startsWith("memory.")) {
                chosen.compose(spec, composition);
            }
        }
        if (composition.method().keepsExemplars()) {
            composition.startMemory(new MemoryUpdate.Builder(spec.memory()));
            for (Chosen<?> chosen : parts) {
                if (chosen.part().path().startsWith("memory.")) {
                    chosen.compose(spec, composition);
                }
            }
        }
        return composition.build();
    }

    /** {@code given} with the defaults of the part named {@code name} at {@code path} (as given where none is). */
    public static <S> S resolve(String path, String name, S given, ExperimentSpec run) {
        Part<?> part = find(path, name);
        if (part == null) {
            return given;
        }
        @SuppressWarnings("unchecked")
        Part<S> typed = (Part<S>) part;
        return typed.resolve(given, run);
    }

    /** Adds the footprints of a resolved run's parts at the paths starting with {@code pathPrefix}. */
    public static void footprint(ExperimentSpec spec, PeakMemory.Footprint footprint, String pathPrefix) {
        for (Chosen<?> chosen : chosen(spec, null)) {
            if (chosen.part().path().startsWith(pathPrefix)) {
                chosen.footprint(spec, footprint);
            }
        }
    }

    /** The name of the selector part of {@code memory} (may be null): the one place {@code memory.selector} is read. */
    public static String selector(MemorySpec memory) {
        return memory == null || memory.selector() == null ? SelectorParts.DEFAULT : memory.selector();
    }

    /** Whether {@code method} trains a phase network that differs from the one the next phase starts from (FOSTER). */
    public static boolean boostsFeatures(CilMethod method) {
        return FosterMethod.boostsFeatures(method);
    }

    /** A part a spec names, with its options. */
    private record Chosen<S>(Part<S> part, S spec) {

        static <S> Chosen<S> of(Part<S> part, Object spec) {
            if (part instanceof MethodPart<?> method && spec instanceof MethodSpec options) {
                // a name without options (named in code) stands for the method's defaults
                return new Chosen<>(part, part.specType().cast(method.own(options)));
            }
            return new Chosen<>(part, part.specType().cast(spec));
        }

        void check(ExperimentSpec run, SpecProblems problems) {
            part.check(spec, run, problems);
        }

        void compose(ExperimentSpec run, Composition composition) {
            part.compose(spec, run, composition);
        }

        void footprint(ExperimentSpec run, PeakMemory.Footprint footprint) {
            part.footprint(spec, run, footprint);
        }
    }

    /**
     * The parts {@code spec} names, method first, then the model's, then the memory's; an unknown
     * name is a problem where {@code problems} is given, else an error.
     */
    private static List<Chosen<?>> chosen(ExperimentSpec spec, SpecProblems problems) {
        List<Chosen<?>> chosen = new ArrayList<>();
        MethodSpec method = spec.method();
        if (method != null && method.name() != null) {
            add(chosen, METHOD, method.name(), method, problems);
        } else if (problems == null) {
            method(null);
        }
        ModelSpec model = spec.model();
        if (model != null && model.scalesKernels()) {
            add(chosen, SCALED_KERNELS, ScaledKernelsPart.NAME, model, problems);
        }
        if (model != null && model.aggregation() != null) {
            add(chosen, AGGREGATION, model.aggregation().name(), model.aggregation(), problems);
        }
        MemorySpec memory = spec.memory();
        if (memory != null) {
            add(chosen, SELECTOR, selector(memory), memory, problems);
            if (memory.compression() != null) {
                add(chosen, COMPRESSION, memory.compression().name(), memory.compression(), problems);
            }
        }
        return chosen;
    }

    private static void add(List<Chosen<?>> chosen, String path, String name, Object spec, SpecProblems problems) {
        Part<?> part = find(path, name);
        if (part != null) {
            chosen.add(Chosen.of(part, spec));
            return;
        }
        String field = path.equals(METHOD) ? "method.name" : path;
        String message = "must be one of " + names(path);
        if (problems == null) {
            throw new SpecException(field, "unknown " + path + " '" + name + "'; " + message);
        }
        problems.add(field, message);
    }

    private static Part<?> builtIn(String path, String name) {
        return BUILT_IN.stream()
                .filter(p -> p.path().equals(path) && p.name().equals(name))
                .findFirst()
                .orElse(null);
    }

    private static String key(String path, String name) {
        return path + "/" + name;
    }
}
