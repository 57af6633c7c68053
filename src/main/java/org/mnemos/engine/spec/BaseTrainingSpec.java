package org.mnemos.engine.spec;

/**
 * What phase 0 does differently from the other phases: any of its length ({@code epochs} when
 * training counts epochs, {@code iterations} when it counts iterations), its optimiser and its
 * schedule. A field left out is taken from {@code training}; an optimiser given here replaces the
 * phase's optimiser as a whole (its unset fields take that optimiser's defaults).
 */
public record BaseTrainingSpec(Integer epochs, Integer iterations, OptimizerSpec optimizer, ScheduleSpec schedule) {}
