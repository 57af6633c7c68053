package org.mnemos.engine.memory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mnemos.engine.data.ImageDataset;

/**
 * The training images that optimised exemplars were made from: position in the memory → the
 * uint8 HWC image at the exemplar's source index. Written next to the exemplars so the download can
 * show each one before and after its optimisation; training never reads it.
 */
public final class ExemplarOriginals {

    public static final String FILE_NAME = "originals.bin";

    private ExemplarOriginals() {}

    /** The training image of each {@link ExemplarKind#OPTIMIZED} exemplar of {@code memory} that has a source index. */
    public static Map<Integer, byte[]> of(ExemplarSet memory, ImageDataset train) {
        Map<Integer, byte[]> originals = new LinkedHashMap<>();
        int bytes = train.imageBytes();
        for (int i = 0; i < memory.size(); i++) {
            int source = memory.sourceIndices()[i];
            if (memory.kinds()[i] == ExemplarKind.OPTIMIZED && source >= 0) {
                originals.put(i, Arrays.copyOfRange(train.pixels(), source * bytes, (source + 1) * bytes));
            }
        }
        return originals;
    }

    public static void write(Path file, Map<Integer, byte[]> originals) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(originals.size());
            for (Map.Entry<Integer, byte[]> entry : originals.entrySet()) {
                out.writeInt(entry.getKey());
                out.writeInt(entry.getValue().length);
                out.write(entry.getValue());
            }
        }
    }

    /** The originals in {@code file}, or an empty map when there is none. */
    public static Map<Integer, byte[]> read(Path file) throws IOException {
        Map<Integer, byte[]> originals = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return originals;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                int position = in.readInt();
                byte[] image = new byte[in.readInt()];
                in.readFully(image);
                originals.put(position, image);
            }
        }
        return originals;
    }
}
