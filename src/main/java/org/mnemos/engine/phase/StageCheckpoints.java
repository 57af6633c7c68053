package org.mnemos.engine.phase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.mnemos.engine.MidPhaseCheckpoints;
import org.mnemos.engine.optim.Optimizer;
import org.mnemos.engine.util.PhaseRandom;

/**
 * A phase's mid-phase checkpoints. The phase's {@link TrainingLoop} runs, except those nested in
 * another's epoch callback, are numbered in the order they start (the stage ordinal); a checkpoint, taken between two steps of a run, holds the ordinal,
 * the next step, the pass's shuffled order and cursor, the session's generator, the phase's tensor
 * generator ({@link PhaseRandom}), every parameter and running statistic of the network the stage
 * trains, and the optimizer's buffers and step count.
 *
 * <p>A phase resumed from a checkpoint runs its procedure from the start: the code between stages,
 * and the stages before the checkpoint's, run again as before (a phase is deterministic given its
 * seed), and the checkpoint's stage puts its state back and continues at its step. Earlier stages are
 * not skipped: what follows them (the memory update, a hook's features) reads the network they leave,
 * which the checkpoint does not hold. Within the checkpoint's stage, nothing else changes from step to
 * step, which holds for the runtime's own state and for every hook that {@link PhaseHook#resumesMidStage()};
 * a phase with a hook that does not takes no checkpoint. A run nested in another's epoch callback
 * (AANets' aggregation stage) takes none, and its enclosing run takes none after it, since its own
 * optimizer lives across runs; nor does a run that accumulates gradients across steps.
 */
final class StageCheckpoints {

    private static final int FORMAT = 1;

    private final MidPhaseCheckpoints store;
    private final RestorableRandom rng;
    private final Path resumeFile;
    private final int resumeOrdinal;
    private int ordinal = -1;
    private int depth;
    private Stage current;
    private long stepsSinceSave;
    private long lastSaveNanos = System.nanoTime();

    private StageCheckpoints(MidPhaseCheckpoints store, RestorableRandom rng, Path resumeFile, int resumeOrdinal) {
        this.store = store;
        this.rng = rng;
        this.resumeFile = resumeFile;
        this.resumeOrdinal = resumeOrdinal;
    }

    /** Checkpoints that are never taken. */
    static StageCheckpoints none() {
        return new StageCheckpoints(null, null, null, -1);
    }

    /**
     * The checkpoints of a phase whose session draws from {@code rng}; {@code resumable} false (a
     * hook's state changes during a stage) takes none and resumes from none.
     */
    static StageCheckpoints of(MidPhaseCheckpoints store, RestorableRandom rng, boolean resumable) {
        if (!resumable || store.interval().isNever()) {
            return none();
        }
        try {
            Path latest = store.latest();
            if (latest == null) {
                return new StageCheckpoints(store, rng, null, -1);
            }
            try (DataInputStream in = open(latest)) {
                // another engine version's checkpoint (a rolling upgrade): the phase starts over
                return in.readInt() == FORMAT
                        ? new StageCheckpoints(store, rng, latest, in.readInt())
                        : new StageCheckpoints(store, rng, null, -1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the phase's checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * Enters the next run of the loop.
     *
     * @param state what the checkpoint holds besides the optimizer (null: this run takes none)
     */
    Stage enter(
            TrainingStage stage,
            List<Parameter> trained,
            Optimizer optimizer,
            Random stageRng,
            TrainingLoop.StageState state) {
        // only runs outside others are numbered: a resumed stage skips the epoch callbacks of its steps before the
        // checkpoint, and the runs nested in them with it
        boolean outermost = depth == 0;
        if (outermost) {
            ordinal++;
        } else {
            current.nested = true;
        }
        depth++;
        boolean eligible = store != null
                && outermost
                && state != null
                && stageRng == rng
                && !stage.accumulateGradients()
                && ordinal >= resumeOrdinal;
        Stage entered = new Stage(outermost ? ordinal : -1, stage, trained, optimizer, state, eligible, current);
        current = entered;
        return entered;
    }

    /** A position in a run: the next step, the pass's order and the cursor in it. */
    record Position(long step, int[] order, int cursor) {}

    /** One run of the loop, from {@link #enter} to {@link #close}. */
    final class Stage implements AutoCloseable {
        private final int stageOrdinal;
        private final TrainingStage stage;
        private final List<Parameter> trained;
        private final Optimizer optimizer;
        private final TrainingLoop.StageState state;
        private final boolean eligible;
        private final Stage enclosing;
        private boolean nested;

        private Stage(
                int stageOrdinal,
                TrainingStage stage,
                List<Parameter> trained,
                Optimizer optimizer,
                TrainingLoop.StageState state,
                boolean eligible,
                Stage enclosing) {
            this.stageOrdinal = stageOrdinal;
            this.stage = stage;
            this.trained = trained;
            this.optimizer = optimizer;
            this.state = state;
            this.eligible = eligible;
            this.enclosing = enclosing;
        }

        private boolean active() {
            return eligible && !nested;
        }

        /** Where this run resumes: the checkpoint's position with its state put back, or null to start at step 0. */
        Position resume(int samples) {
            if (!eligible || stageOrdinal != resumeOrdinal) {
                return null;
            }
            try (DataInputStream in = open(resumeFile)) {
                readFormat(in);
                in.readInt();
                String name = in.readUTF();
                if (!name.equals(stage.name())) {
                    throw new IOException("the checkpoint is of stage " + name + ", this phase's stage " + stageOrdinal
                            + " is " + stage.name());
                }
                long step = in.readLong();
                int cursor = in.readInt();
                int[] order = new int[in.readInt()];
                if (order.length != samples) {
                    throw new IOException(
                            "the checkpoint's stage trained on " + order.length + " images, not " + samples);
                }
                for (int i = 0; i < order.length; i++) {
                    order[i] = in.readInt();
                }
                rng.restore(new RestorableRandom.Snapshot(in.readLong(), in.readBoolean(), in.readDouble()));
                PhaseRandom.restore(in.readLong());
                readParameters(in, state.parameters());
                optimizer.readState(in, trained);
                store.resumed(stageOrdinal, stage.name(), step);
                stepsSinceSave = 0;
                lastSaveNanos = System.nanoTime();
                return new Position(step, order, cursor);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot resume from the phase's checkpoint: " + e.getMessage(), e);
            }
        }

        /** After a step: saves a checkpoint when one is due. */
        void stepDone(Position next) {
            stepsSinceSave++;
            if (active() && store.interval().due(stepsSinceSave, System.nanoTime() - lastSaveNanos)) {
                save(next);
            }
        }

        /** Before the run stops for a cancellation (a worker's shutdown): saves where it stands. */
        void stopping(Position next) {
            if (active() && stepsSinceSave > 0) {
                save(next);
            }
        }

        private void save(Position next) {
            state.settle().run();
            try {
                Path file = store.newFile();
                try (DataOutputStream out =
                        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
                    out.writeInt(FORMAT);
                    out.writeInt(stageOrdinal);
                    out.writeUTF(stage.name());
                    out.writeLong(next.step());
                    out.writeInt(next.cursor());
                    out.writeInt(next.order().length);
                    for (int index : next.order()) {
                        out.writeInt(index);
                    }
                    RestorableRandom.Snapshot draws = rng.snapshot();
                    out.writeLong(draws.state());
                    out.writeBoolean(draws.haveNextNextGaussian());
                    out.writeDouble(draws.nextNextGaussian());
                    out.writeLong(PhaseRandom.state());
                    writeParameters(out, state.parameters());
                    optimizer.writeState(out);
                }
                store.save(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save the phase's checkpoint: " + e.getMessage(), e);
            }
            stepsSinceSave = 0;
            lastSaveNanos = System.nanoTime();
        }

        @Override
        public void close() {
            depth--;
            current = enclosing;
        }
    }

    private static void writeParameters(DataOutputStream out, List<Parameter> parameters) throws IOException {
        out.writeInt(parameters.size());
        for (Parameter parameter : parameters) {
            out.writeUTF(parameter.getName());
            byte[] encoded = parameter.getArray().encode();
            out.writeInt(encoded.length);
            out.write(encoded);
        }
    }

    private static void readParameters(DataInputStream in, List<Parameter> parameters) throws IOException {
        int count = in.readInt();
        if (count != parameters.size()) {
            throw new IOException("the checkpoint holds " + count + " parameters, the network " + parameters.size());
        }
        for (Parameter parameter : parameters) {
            String name = in.readUTF();
            byte[] encoded = new byte[in.readInt()];
            in.readFully(encoded);
            NDArray target = parameter.getArray();
            if (!name.equals(parameter.getName())) {
                throw new IOException("the checkpoint holds " + name + " where the network has " + parameter.getName());
            }
            try (NDManager upload = target.getManager().newSubManager(target.getDevice())) {
                NDArray saved = upload.decode(encoded);
                if (!saved.getShape().equals(target.getShape()) || saved.getDataType() != target.getDataType()) {
                    throw new IOException("the checkpoint's " + name + " is " + saved.getShape() + " "
                            + saved.getDataType() + ", the network's " + target.getShape() + " "
                            + target.getDataType());
                }
                saved.copyTo(target);
            }
        }
    }

    private static void readFormat(DataInputStream in) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("checkpoint format " + format + ", this engine reads " + FORMAT);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }
}
