package org.mnemos.engine.optim;

/** Learning rate as a function of the (0-based) epoch, or iteration when training counts iterations. */
@FunctionalInterface
public interface LrSchedule {

    double lr(int epoch);
}
