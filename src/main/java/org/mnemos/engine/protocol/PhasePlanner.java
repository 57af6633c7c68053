package org.mnemos.engine.protocol;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.ProtocolSpec;

/** Splits a class order into phases: B base classes then increments, or explicit lists. */
public final class PhasePlanner {

    private PhasePlanner() {}

    /** @return the original labels of every phase; the class order is their concatenation */
    public static List<List<Integer>> phases(ProtocolSpec protocol, List<Integer> order, int datasetClasses) {
        if (protocol.phases() != null && !protocol.phases().isEmpty()) {
            return explicitPhases(protocol.phases(), datasetClasses);
        }
        int total = protocol.numClasses() == null ? order.size() : protocol.numClasses();
        if (total < 1 || total > order.size()) {
            throw new SpecException("protocol.numClasses", "must be in [1, " + order.size() + "]");
        }
        int increment = protocol.increment() == null ? 0 : protocol.increment();
        int initial = protocol.initialClasses() == null ? increment : protocol.initialClasses();
        if (initial < 1) {
            throw new SpecException("protocol.initialClasses", "must be at least 1 (or give increment)");
        }
        if (initial > total) {
            throw new SpecException("protocol.initialClasses", "must be at most the " + total + " classes of the run");
        }
        if (initial < total && increment < 1) {
            throw new SpecException("protocol.increment", "must be at least 1 when initialClasses < " + total);
        }
        List<List<Integer>> phases = new ArrayList<>();
        phases.add(List.copyOf(order.subList(0, initial)));
        for (int start = initial; start < total; start += increment) {
            phases.add(List.copyOf(order.subList(start, Math.min(total, start + increment))));
        }
        return List.copyOf(phases);
    }

    private static List<List<Integer>> explicitPhases(List<List<Integer>> given, int datasetClasses) {
        Set<Integer> seen = new HashSet<>();
        for (int p = 0; p < given.size(); p++) {
            List<Integer> classes = given.get(p);
            if (classes == null || classes.isEmpty()) {
                throw new SpecException("protocol.phases[" + p + "]", "must list at least one class");
            }
            for (int i = 0; i < classes.size(); i++) {
                Integer label = classes.get(i);
                String field = "protocol.phases[" + p + "][" + i + "]";
                if (label == null || label < 0 || label >= datasetClasses) {
                    throw new SpecException(field, "must be a label in [0, " + (datasetClasses - 1) + "]");
                }
                if (!seen.add(label)) {
                    throw new SpecException(field, "label " + label + " is already in an earlier phase");
                }
            }
        }
        return given.stream().map(List::copyOf).toList();
    }
}
