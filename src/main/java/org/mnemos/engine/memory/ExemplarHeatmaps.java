package org.mnemos.engine.memory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CAM heatmaps a compressed memory's masks came from, for a few exemplars per class of the
 * phase that selected them: position in the memory → (height·width) map in [0, 1]. Written next to
 * the exemplars so the download can show what the model keeps.
 */
public final class ExemplarHeatmaps {

    public static final String FILE_NAME = "heatmaps.bin";

    private ExemplarHeatmaps() {}

    public static void write(Path file, Map<Integer, float[]> heatmaps) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(heatmaps.size());
            for (Map.Entry<Integer, float[]> entry : heatmaps.entrySet()) {
                out.writeInt(entry.getKey());
                out.writeInt(entry.getValue().length);
                for (float v : entry.getValue()) {
                    out.writeFloat(v);
                }
            }
        }
    }

    /** The heatmaps in {@code file}, or an empty map when there is none. */
    public static Map<Integer, float[]> read(Path file) throws IOException {
        Map<Integer, float[]> heatmaps = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return heatmaps;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                int position = in.readInt();
                float[] map = new float[in.readInt()];
                for (int k = 0; k < map.length; k++) {
                    map[k] = in.readFloat();
                }
                heatmaps.put(position, map);
            }
        }
        return heatmaps;
    }
}
