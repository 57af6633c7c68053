package org.mnemos.engine.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.mnemos.engine.DataPathException;

/** Locating official data files (plain or {@code .gz}, directly in a directory or in an official subfolder) and opening them. */
final class DataFiles {

    private DataFiles() {}

    /** The first existing {@code <dir>/<sub>/<name>[.gz]} over the given subfolders ("" = the directory itself). */
    static Optional<Path> find(Path dir, List<String> subfolders, String name) {
        for (String sub : subfolders) {
            Path base = sub.isEmpty() ? dir : dir.resolve(sub);
            Path plain = base.resolve(name);
            if (Files.isRegularFile(plain)) {
                return Optional.of(plain);
            }
            Path gz = base.resolve(name + ".gz");
            if (Files.isRegularFile(gz)) {
                return Optional.of(gz);
            }
        }
        return Optional.empty();
    }

    static Path require(Path dir, List<String> subfolders, String name) {
        return find(dir, subfolders, name)
                .orElseThrow(() -> new DataPathException("missing data file " + name + " (or " + name + ".gz) in " + dir
                        + (subfolders.size() > 1
                                ? " or its subfolders " + subfolders.subList(1, subfolders.size())
                                : "")));
    }

    /** Opens a file, transparently gunzipping it when it starts with the gzip magic (whatever its name). */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    static byte[] readAll(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return in.readAllBytes();
        }
    }
}
