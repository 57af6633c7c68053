package org.mnemos.engine.model;

import java.util.Arrays;
import java.util.List;
import org.mnemos.engine.SpecException;

/** How one branch of an {@link AggregatedBackbone} trains, with the names of AANets' code. */
public enum BranchType {
    /** {@code ss}: kernels frozen, each rescaled by a trainable factor (meta-transfer style); BatchNorm trains. */
    SCALED("ss"),
    /** {@code free}: every parameter trains. */
    FREE("free"),
    /** {@code fixed}: nothing is updated, BatchNorm statistics included. */
    FIXED("fixed");

    public static final List<String> NAMES =
            Arrays.stream(values()).map(BranchType::specName).toList();

    private final String specName;

    BranchType(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    /** The type a spec names; {@code field} is the spec field reported when the name is unknown. */
    public static BranchType named(String name, String field) {
        for (BranchType type : values()) {
            if (type.specName.equals(name)) {
                return type;
            }
        }
        throw new SpecException(field, "unknown branch type '" + name + "'; allowed: " + NAMES);
    }
}
