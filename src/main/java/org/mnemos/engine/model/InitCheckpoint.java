package org.mnemos.engine.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.model.interop.SafeTensors;
import org.mnemos.engine.model.interop.SafeTensorsException;
import org.mnemos.engine.model.interop.SafeTensorsFile;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * An uploaded checkpoint ({@code model.init}) against the network of phase 0: its
 * {@code __metadata__.classes} (the data-set labels of the head's rows, as Mnemos's own
 * {@code ?format=pytorch} export writes them) must be phase 0's classes in the plan's order, and its
 * tensors must be the network's (see {@link PyCilStateDict}). Problems are {@link SpecException}s
 * on {@code model.init.checkpoint} naming the tensor.
 */
public final class InitCheckpoint {

    public static final String FIELD = "model.init.checkpoint";
    public static final String CLASSES = "classes";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private InitCheckpoint() {}

    /**
     * Checks the header of the checkpoint against {@code net}, a phase-0 network whose head holds
     * {@code classes}, without reading the values.
     *
     * @param file the checkpoint, or null when its upload is gone
     */
    public static SafeTensorsFile check(IncrementalNet net, Path file, List<Integer> classes) {
        if (file == null) {
            throw new SpecException(FIELD, "the uploaded checkpoint no longer exists");
        }
        try {
            SafeTensorsFile checkpoint = SafeTensors.read(file);
            checkClasses(checkpoint, classes);
            PyCilStateDict.check(net, checkpoint);
            return checkpoint;
        } catch (SafeTensorsException e) {
            throw new SpecException(FIELD, e.getMessage());
        } catch (IOException e) {
            throw new SpecException(FIELD, "the checkpoint cannot be read");
        }
    }

    /** {@link #check}s, then loads the checkpoint's values into {@code net}. */
    public static void load(IncrementalNet net, Path file, List<Integer> classes) {
        SafeTensorsFile checkpoint = check(net, file, classes);
        try {
            PyCilStateDict.load(net, checkpoint);
        } catch (SafeTensorsException e) {
            throw new SpecException(FIELD, e.getMessage());
        } catch (IOException e) {
            throw new SpecException(FIELD, "the checkpoint cannot be read");
        }
    }

    private static void checkClasses(SafeTensorsFile checkpoint, List<Integer> classes) throws SafeTensorsException {
        String declared = checkpoint.metadata().get(CLASSES);
        if (declared == null) {
            throw new SafeTensorsException(
                    "__metadata__ has no '" + CLASSES + "': the data-set labels of the head's rows, in"
                            + " order, as a JSON list (phase 0 of this run learns " + classes + ")");
        }
        List<Integer> rows;
        try {
            rows = List.of(JSON.readValue(declared, Integer[].class));
        } catch (JacksonException | NullPointerException e) {
            throw new SafeTensorsException("__metadata__." + CLASSES + " is not a JSON list of integer labels");
        }
        if (!rows.equals(classes)) {
            throw new SafeTensorsException(
                    "the checkpoint's head rows are classes " + rows + ", but phase 0 of this run learns " + classes
                            + " in that order; set protocol.classOrder (or the phase sizes) to match");
        }
    }
}
