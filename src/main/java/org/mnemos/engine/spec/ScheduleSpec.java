package org.mnemos.engine.spec;

import java.util.List;

/**
 * Learning-rate schedule by epoch (or by iteration when training counts iterations):
 * {@code constant}, {@code multistep} with {@code milestones} and {@code gamma}, or {@code cosine}.
 */
public record ScheduleSpec(String name, List<Integer> milestones, Double gamma) {}
