package org.mnemos.experiment;

public enum PhaseStatus {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED
}
