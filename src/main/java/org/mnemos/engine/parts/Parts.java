package org.mnemos.engine.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.mnemos.engine.phase.CilMethod;
import org.mnemos.engine.spec.MethodSpec;

/**
 * The methods a run may name beyond the built-in ones of {@link Methods}: parts defined outside
 * this code base (a test's toy part, an experiment's own method) register here and are then
 * composed, run and reported like the built-in ones. A registration lasts until it is closed.
 */
public final class Parts {

    private static final Map<String, Function<MethodSpec, CilMethod>> METHODS = new ConcurrentHashMap<>();

    /** A method part's place in the table; closing it removes the method again. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private Parts() {}

    /**
     * Registers the method {@code name}, built from a run's method spec by {@code factory}: fresh
     * hooks on every call (a composition serves one phase).
     */
    public static Registration registerMethod(String name, Function<MethodSpec, CilMethod> factory) {
        if (Methods.NAMES.contains(name) || METHODS.putIfAbsent(name, factory) != null) {
            throw new IllegalArgumentException("a method named '" + name + "' exists already");
        }
        return () -> METHODS.remove(name, factory);
    }

    /** Every method name a run may use: the built-in ones, then the registered ones. */
    public static List<String> methodNames() {
        List<String> names = new ArrayList<>(Methods.NAMES);
        METHODS.keySet().stream().sorted().forEach(names::add);
        return names;
    }

    /** The registered method {@code name} built for {@code spec}, or null where none is registered. */
    static CilMethod registered(String name, MethodSpec spec) {
        Function<MethodSpec, CilMethod> factory = METHODS.get(name);
        return factory == null ? null : factory.apply(spec);
    }
}
