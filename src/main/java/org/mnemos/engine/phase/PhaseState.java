package org.mnemos.engine.phase;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mnemos.engine.memory.ExemplarSet;
import org.mnemos.engine.model.IncrementalNet;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a phase leaves for the next one, as files in a directory: {@code model.params} (DJL
 * parameters), {@code state.json} (this record), {@code exemplars.bin} and, for NME methods,
 * {@code class-means.bin}; for FOSTER also {@code successor.params}, the compressed network the next
 * phase starts from (its segments are the evaluated network's). Another worker can continue the run from it.
 *
 * @param seenClasses original labels in class order, as the head's outputs are laid out
 */
public record PhaseState(int phase, List<Integer> segmentSizes, List<Integer> seenClasses, boolean hasClassMeans) {

    public static final String STATE_FILE = "state.json";
    public static final String MODEL_FILE = "model.params";
    public static final String MEANS_FILE = "class-means.bin";
    public static final String SUCCESSOR_FILE = "successor.params";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public void write(Path dir, IncrementalNet net, ExemplarSet memory, float[][] classMeans) {
        write(dir, net, null, memory, classMeans);
    }

    /** @param successor the network the next phase starts from when it is not {@code net}, or null */
    public void write(
            Path dir, IncrementalNet net, IncrementalNet successor, ExemplarSet memory, float[][] classMeans) {
        try {
            Files.createDirectories(dir);
            try (DataOutputStream out =
                    new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve(MODEL_FILE))))) {
                net.saveParameters(out);
            }
            if (successor != null) {
                try (DataOutputStream out = new DataOutputStream(
                        new BufferedOutputStream(Files.newOutputStream(dir.resolve(SUCCESSOR_FILE))))) {
                    successor.saveParameters(out);
                }
            }
            memory.write(dir.resolve(ExemplarSet.FILE_NAME));
            if (classMeans != null) {
                try (DataOutputStream out = new DataOutputStream(
                        new BufferedOutputStream(Files.newOutputStream(dir.resolve(MEANS_FILE))))) {
                    out.writeInt(classMeans.length);
                    out.writeInt(classMeans[0].length);
                    for (float[] mean : classMeans) {
                        for (float v : mean) {
                            out.writeFloat(v);
                        }
                    }
                }
            }
            JSON.writeValue(dir.resolve(STATE_FILE).toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write phase state to " + dir, e);
        }
    }

    public static PhaseState read(Path dir) {
        return JSON.readValue(dir.resolve(STATE_FILE).toFile(), PhaseState.class);
    }

    public void loadParameters(Path dir, IncrementalNet net, NDManager manager) {
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(MODEL_FILE))))) {
            net.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("cannot load the model of phase " + phase + " from " + dir, e);
        }
    }

    /** Loads the network the next phase starts from: {@code successor.params} where the phase left one, else the model. */
    public void loadContinuation(Path dir, IncrementalNet net, NDManager manager) {
        Path file = Files.exists(dir.resolve(SUCCESSOR_FILE)) ? dir.resolve(SUCCESSOR_FILE) : dir.resolve(MODEL_FILE);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            net.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("cannot load the network phase " + phase + " left in " + dir, e);
        }
    }

    public static ExemplarSet readMemory(Path dir) {
        try {
            return ExemplarSet.read(dir.resolve(ExemplarSet.FILE_NAME));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public float[][] readClassMeans(Path dir) {
        if (!hasClassMeans) {
            return null;
        }
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(MEANS_FILE))))) {
            int classes = in.readInt();
            int dim = in.readInt();
            float[][] means = new float[classes][dim];
            for (float[] mean : means) {
                for (int d = 0; d < dim; d++) {
                    mean[d] = in.readFloat();
                }
            }
            return means;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
