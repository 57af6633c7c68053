package org.mnemos.engine.spec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The CIL method, chosen by {@code name}; each method carries only its own options, and a null
 * option takes the method's default from the original paper's code (its part resolves them). A name
 * no built-in method has binds to {@link NamedMethodSpec}: a method registered from outside the
 * table takes no options. Specs stored in the old shape, with FOSTER's, the data-free methods' and
 * finetune's options in an object named after the method, are read through {@link MethodSpecUpgrade}.
 */
@JsonTypeInfo(
        use = JsonTypeInfo.Id.NAME,
        include = JsonTypeInfo.As.EXISTING_PROPERTY,
        property = "name",
        visible = true,
        defaultImpl = NamedMethodSpec.class)
@JsonSubTypes({
    @JsonSubTypes.Type(value = FinetuneSpec.class, name = FinetuneSpec.NAME),
    @JsonSubTypes.Type(value = JointSpec.class, name = JointSpec.NAME),
    @JsonSubTypes.Type(value = ReplaySpec.class, name = ReplaySpec.NAME),
    @JsonSubTypes.Type(value = LwfSpec.class, name = LwfSpec.NAME),
    @JsonSubTypes.Type(value = IcarlSpec.class, name = IcarlSpec.NAME),
    @JsonSubTypes.Type(value = BicSpec.class, name = BicSpec.NAME),
    @JsonSubTypes.Type(value = LucirSpec.class, name = LucirSpec.NAME),
    @JsonSubTypes.Type(value = PodnetSpec.class, name = PodnetSpec.NAME),
    @JsonSubTypes.Type(value = LwfMcSpec.class, name = LwfMcSpec.NAME),
    @JsonSubTypes.Type(value = FosterSpec.class, name = FosterSpec.NAME),
    @JsonSubTypes.Type(value = AbdSpec.class, name = AbdSpec.NAME),
    @JsonSubTypes.Type(value = DeepInversionSpec.class, name = DeepInversionSpec.NAME)
})
public sealed interface MethodSpec
        permits FinetuneSpec,
                JointSpec,
                ReplaySpec,
                LwfSpec,
                IcarlSpec,
                BicSpec,
                LucirSpec,
                PodnetSpec,
                LwfMcSpec,
                FosterSpec,
                AbdSpec,
                DeepInversionSpec,
                NamedMethodSpec {

    String name();

    /** The method {@code name} with every option unset (its defaults). */
    static MethodSpec named(String name) {
        if (name == null) {
            return new NamedMethodSpec(null);
        }
        return switch (name) {
            case FinetuneSpec.NAME -> new FinetuneSpec(name, null);
            case JointSpec.NAME -> new JointSpec(name);
            case ReplaySpec.NAME -> new ReplaySpec(name);
            case LwfSpec.NAME -> new LwfSpec(name, null, null);
            case IcarlSpec.NAME -> new IcarlSpec(name, null, null);
            case BicSpec.NAME -> new BicSpec(name, null, null, null);
            case LucirSpec.NAME -> new LucirSpec(name, null, null, null, null);
            case PodnetSpec.NAME -> new PodnetSpec(name, null, null, null, null, null);
            case LwfMcSpec.NAME -> new LwfMcSpec(name);
            case FosterSpec.NAME -> new FosterSpec(name, null, null, null, null, null, null, null, null, null, null);
            case AbdSpec.NAME -> AbdSpec.of(InversionSpec.NONE);
            case DeepInversionSpec.NAME -> DeepInversionSpec.of(null, InversionSpec.NONE);
            default -> new NamedMethodSpec(name);
        };
    }
}
