package org.mnemos.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a phase keeps its mid-phase checkpoints and how often it takes one. A phase interrupted
 * (released on shutdown, or taken over after a crash) and run again with the same checkpoints
 * resumes from the last one and ends bit for bit as an uninterrupted run would. The engine writes a
 * checkpoint into {@link #newFile()} and hands it to {@link #save}; the service keeps it where every
 * worker reaches it.
 */
public interface MidPhaseCheckpoints {

    /** How often a checkpoint is taken: after {@code steps} optimizer steps or {@code time}, whichever comes first. */
    CheckpointInterval interval();

    /** The phase's last checkpoint as a local file; null when it has none. */
    Path latest() throws IOException;

    /** A new local file to write a checkpoint into. */
    Path newFile() throws IOException;

    /** Makes {@code file} (from {@link #newFile()}) the phase's last checkpoint; the file may be moved. */
    void save(Path file) throws IOException;

    /** The phase resumed from its checkpoint taken in its {@code stage}-th training stage (from 0) before {@code step}. */
    default void resumed(int stage, String stageName, long step) {}

    /** Takes no checkpoint and resumes from none. */
    MidPhaseCheckpoints NONE = new MidPhaseCheckpoints() {
        @Override
        public CheckpointInterval interval() {
            return CheckpointInterval.NEVER;
        }

        @Override
        public Path latest() {
            return null;
        }

        @Override
        public Path newFile() {
            throw new IllegalStateException("no checkpoints");
        }

        @Override
        public void save(Path file) {
            throw new IllegalStateException("no checkpoints");
        }
    };

    /**
     * A checkpoint after {@code steps} optimizer steps (0: no step count) or after {@code time} (null
     * or zero: no clock) since the last one, whichever comes first.
     */
    record CheckpointInterval(long steps, Duration time) {

        public static final CheckpointInterval NEVER = new CheckpointInterval(0, null);

        public CheckpointInterval {
            if (steps < 0) {
                throw new IllegalArgumentException("a checkpoint interval of " + steps + " steps");
            }
            if (time != null && time.isNegative()) {
                throw new IllegalArgumentException("a checkpoint interval of " + time);
            }
        }

        public boolean isNever() {
            return steps == 0 && (time == null || time.isZero());
        }

        /** Whether a checkpoint is due {@code steps} steps and {@code nanos} nanoseconds after the last. */
        public boolean due(long stepsSince, long nanosSince) {
            return (steps > 0 && stepsSince >= steps)
                    || (time != null && !time.isZero() && nanosSince >= time.toNanos());
        }
    }
}
