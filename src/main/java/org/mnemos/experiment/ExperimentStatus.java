package org.mnemos.experiment;

public enum ExperimentStatus {
    QUEUED,
    RUNNING,
    CANCELLING,
    CANCELLED,
    SUCCEEDED,
    FAILED;

    /** Still owns a worker slot or a queue entry. */
    public boolean isActive() {
        return this == QUEUED || this == RUNNING || this == CANCELLING;
    }
}
