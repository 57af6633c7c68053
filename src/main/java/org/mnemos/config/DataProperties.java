package org.mnemos.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where data sets are read from.
 *
 * @param roots {@code :}-separated directories (env {@code MNEMOS_DATA_ROOTS}); when empty, {@code
 *     ../shared/data} if it exists, else {@code ./data}
 * @param downloads whether missing known data sets may be fetched from their official hosts (MD5
 *     checked) into the first writable root; off by default so nothing is downloaded unasked
 */
@ConfigurationProperties("mnemos.data")
public record DataProperties(
        String roots, @DefaultValue("false") boolean downloads) {

    static final Path SHARED_DATA = Path.of("../shared/data");
    static final Path LOCAL_DATA = Path.of("./data");

    public List<Path> rootPaths() {
        if (roots == null || roots.isBlank()) {
            return List.of((Files.isDirectory(SHARED_DATA) ? SHARED_DATA : LOCAL_DATA)
                    .toAbsolutePath()
                    .normalize());
        }
        return Arrays.stream(roots.split(":"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(s -> Path.of(s).toAbsolutePath().normalize())
                .toList();
    }
}
