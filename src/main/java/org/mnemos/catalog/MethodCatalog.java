package org.mnemos.catalog;

import java.util.List;
import java.util.Optional;
import org.mnemos.engine.PartCatalog;
import org.springframework.stereotype.Component;

/**
 * The CIL methods a spec may name, what each needs and which {@code MethodSpec} options apply to
 * it, as the engine defines them ({@link PartCatalog}); validation and capability discovery read it.
 */
@Component
public class MethodCatalog {

    /**
     * @param usesExemplars whether the method rehearses stored images (then {@code memory} is required)
     * @param usesNme whether it classifies by nearest mean of exemplars
     * @param options the {@code method.*} fields that apply; others are rejected
     */
    public record MethodInfo(
            String name, String description, boolean usesExemplars, boolean usesNme, List<String> options) {}

    /** Read from the engine's table of parts on every call, so the catalog lists registered methods too and cannot drift. */
    public List<MethodInfo> list() {
        return PartCatalog.methods().stream()
                .map(method -> new MethodInfo(
                        method.name(),
                        method.description(),
                        method.keepsExemplars(),
                        method.nearestMean(),
                        method.options()))
                .toList();
    }

    public Optional<MethodInfo> find(String name) {
        return list().stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
