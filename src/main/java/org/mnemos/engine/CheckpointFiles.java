package org.mnemos.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mnemos.engine.model.InitCheckpoint;
import org.mnemos.engine.model.interop.SafeTensors;
import org.mnemos.engine.model.interop.SafeTensorsException;
import org.mnemos.engine.model.interop.SafeTensorsFile;

/** What the service checks of an uploaded checkpoint before it keeps it: that it is well-formed safetensors. */
public final class CheckpointFiles {

    /** The spec field that names an uploaded checkpoint. */
    public static final String FIELD = InitCheckpoint.FIELD;

    public record Tensor(String name, String dtype, List<Long> shape) {}

    /** The header of a safetensors file: its tensors in file order and its metadata. */
    public record Header(List<Tensor> tensors, Map<String, String> metadata) {}

    /** A file that is not well-formed safetensors; {@code tensor} names the offending tensor, null for the file. */
    public static final class MalformedException extends Exception {

        private final String tensor;

        MalformedException(String tensor, String message) {
            super(message);
            this.tensor = tensor;
        }

        public String tensor() {
            return tensor;
        }
    }

    private CheckpointFiles() {}

    /** Reads and checks the file's header (names, dtypes, shapes, offsets), not its tensors' values. */
    public static Header readHeader(Path file) throws MalformedException, IOException {
        SafeTensorsFile read;
        try {
            read = SafeTensors.read(file);
        } catch (SafeTensorsException e) {
            throw new MalformedException(e.tensor(), e.getMessage());
        }
        List<Tensor> tensors = new ArrayList<>();
        for (SafeTensorsFile.Entry entry : read.entries()) {
            List<Long> shape = new ArrayList<>();
            for (long dim : entry.shape()) {
                shape.add(dim);
            }
            tensors.add(new Tensor(entry.name(), entry.dtype().name(), List.copyOf(shape)));
        }
        return new Header(List.copyOf(tensors), read.metadata());
    }
}
