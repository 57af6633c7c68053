package org.mnemos.engine.model.interop;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checked safetensors file: every tensor's dtype, shape and offsets are known to tile the data
 * section, so {@link #tensor} allocates at most what the file holds.
 */
public final class SafeTensorsFile {

    /** A tensor as the header declares it; {@code begin} and {@code end} are offsets in the data section. */
    public record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata;

    SafeTensorsFile(Path file, long dataStart, List<Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        for (Entry entry : entries) {
            this.entries.put(entry.name(), entry);
        }
        this.metadata = Map.copyOf(metadata);
    }

    /** The tensors in header order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** The declared tensor, or null. */
    public Entry entry(String name) {
        return entries.get(name);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Reads one tensor's bytes. */
    public Tensor tensor(String name) throws IOException {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new SafeTensorsException(name, "is not in the file");
        }
        long length = entry.end() - entry.begin();
        if (length > Integer.MAX_VALUE - 8) {
            throw new SafeTensorsException(name, "holds " + length + " bytes, more than one array can");
        }
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            channel.position(dataStart + entry.begin());
            return new Tensor(
                    name,
                    entry.dtype(),
                    entry.shape(),
                    SafeTensors.readFully(channel, (int) length).array());
        }
    }
}
