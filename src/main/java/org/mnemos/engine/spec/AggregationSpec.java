package org.mnemos.engine.spec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * How the backbone aggregates several branches, chosen by {@code name}; each kind carries its own
 * options. The only kind is {@code aanets}.
 */
@JsonTypeInfo(
        use = JsonTypeInfo.Id.NAME,
        include = JsonTypeInfo.As.EXISTING_PROPERTY,
        property = "name",
        visible = true)
@JsonSubTypes({@JsonSubTypes.Type(value = AanetsSpec.class, name = AanetsSpec.NAME)})
public sealed interface AggregationSpec permits AanetsSpec {

    List<String> NAMES = List.of(AanetsSpec.NAME);

    String name();
}
