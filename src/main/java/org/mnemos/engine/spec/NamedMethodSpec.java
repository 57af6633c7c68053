package org.mnemos.engine.spec;

/**
 * A method chosen by name alone: one registered from outside the built-in table (it takes no
 * options), or a name no method has, which the parts' check reports at {@code method.name}.
 */
public record NamedMethodSpec(String name) implements MethodSpec {}
