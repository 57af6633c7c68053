package org.mnemos.engine.spec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * How exemplars are compressed before they are stored, chosen by {@code name}: {@code none} (the
 * default), {@code cam} (class activation maps) or {@code cim} (CAMs from the class-incremental
 * masking model of Luo et al., CVPR 2023); each kind carries its own options.
 */
@JsonTypeInfo(
        use = JsonTypeInfo.Id.NAME,
        include = JsonTypeInfo.As.EXISTING_PROPERTY,
        property = "name",
        visible = true)
@JsonSubTypes({
    @JsonSubTypes.Type(value = NoCompressionSpec.class, name = NoCompressionSpec.NAME),
    @JsonSubTypes.Type(value = CamCompressionSpec.class, name = CamCompressionSpec.NAME),
    @JsonSubTypes.Type(value = CimCompressionSpec.class, name = CimCompressionSpec.NAME)
})
public sealed interface CompressionSpec permits NoCompressionSpec, CamCompressionSpec, CimCompressionSpec {

    List<String> NAMES = List.of(NoCompressionSpec.NAME, CamCompressionSpec.NAME, CimCompressionSpec.NAME);

    double DEFAULT_RATIO = 4.0;
    double DEFAULT_THRESHOLD = 0.6;

    String name();
}
