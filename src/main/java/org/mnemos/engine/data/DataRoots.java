package org.mnemos.engine.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.mnemos.engine.DataPathException;

/**
 * The directories data sets are read from, laid out as {@code <root>/<dataset>/<official file
 * names>}. Every client-supplied path is resolved here and nowhere else.
 */
public final class DataRoots {

    private static final Pattern DATASET_DIRECTORY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final List<Path> roots;

    public DataRoots(List<Path> roots) {
        this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /** Parses the {@code MNEMOS_DATA_ROOTS} format: directories separated by {@code :}; blank entries are ignored. */
    public static DataRoots fromPathList(String pathList) {
        List<Path> parsed = new ArrayList<>();
        if (pathList != null) {
            for (String entry : pathList.split(":")) {
                if (!entry.isBlank()) {
                    parsed.add(Path.of(entry.trim()));
                }
            }
        }
        return new DataRoots(parsed);
    }

    public List<Path> roots() {
        return roots;
    }

    /** How messages for clients name root {@code index} (0-based): by position, never by its path. */
    public static String label(int index) {
        return "<data root " + (index + 1) + ">";
    }

    /** The roots as clients see them: {@code [<data root 1>, <data root 2>]}. */
    String labels() {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            labels.add(label(i));
        }
        return labels.toString();
    }

    /**
     * {@code message} with every data root's path (as configured and as resolved through links)
     * replaced by its label, so that errors from the readers can be shown to clients.
     */
    public String redact(String message) {
        if (message == null) {
            return null;
        }
        String redacted = message;
        for (int i = 0; i < roots.size(); i++) {
            List<String> spellings = new ArrayList<>(List.of(roots.get(i).toString()));
            try {
                spellings.add(roots.get(i).toRealPath().toString());
            } catch (IOException missing) {
                // a root that does not exist has only its configured spelling
            }
            spellings.sort((a, b) -> b.length() - a.length());
            for (String spelling : spellings) {
                redacted = redacted.replace(spelling, label(i));
            }
        }
        return redacted;
    }

    /**
     * Resolves a client-supplied relative path inside one of the roots (the first where it exists).
     *
     * @throws DataPathException if the path is absolute, escapes every root (also through symlinks) or exists in none
     */
    public Path resolve(String relativePath) {
        Path relative = checkedRelative(relativePath);
        if (roots.isEmpty()) {
            throw new DataPathException(
                    "no data roots are configured, so no data path '" + relativePath + "' can be read");
        }
        boolean escapedThroughLink = false;
        for (Path root : roots) {
            Path candidate = root.resolve(relative);
            if (!Files.exists(candidate)) {
                continue;
            }
            try {
                Path realRoot = root.toRealPath();
                Path realCandidate = candidate.toRealPath();
                if (realCandidate.startsWith(realRoot)) {
                    return realCandidate;
                }
                escapedThroughLink = true;
            } catch (IOException e) {
                throw new DataPathException(
                        redact("data path '" + relativePath + "' cannot be read: " + e.getMessage()));
            }
        }
        if (escapedThroughLink) {
            throw new DataPathException("data path '" + relativePath
                    + "' leads outside the data roots through a symbolic link; only files inside " + labels()
                    + " may be read");
        }
        throw new DataPathException("data path '" + relativePath + "' does not exist in any data root " + labels());
    }

    /** The directory of a known data set ({@code <root>/<name>}) in the first root that has it. */
    public Optional<Path> datasetDirectory(String name) {
        if (name == null || !DATASET_DIRECTORY_NAME.matcher(name).matches()) {
            throw new DataPathException("data set directory name '" + name
                    + "' is not allowed: use letters, digits, '.', '_' or '-' only, starting with a letter or digit");
        }
        for (Path root : roots) {
            Path candidate = root.resolve(name);
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The first root that is a writable directory, where downloads go. */
    public Optional<Path> firstWritableRoot() {
        return roots.stream()
                .filter(r -> Files.isDirectory(r) && Files.isWritable(r))
                .findFirst();
    }

    private static Path checkedRelative(String relativePath) {
        String allowed = "a path relative to a data root, without '..' that leaves it, e.g. 'tiny-imagenet'";
        if (relativePath == null || relativePath.isBlank()) {
            throw new DataPathException("a data path is required: " + allowed);
        }
        if (relativePath.startsWith("/") || relativePath.startsWith("\\") || relativePath.contains("\0")) {
            throw new DataPathException("data path '" + relativePath + "' is absolute; expected " + allowed);
        }
        Path path;
        try {
            path = Path.of(relativePath);
        } catch (InvalidPathException e) {
            throw new DataPathException("data path '" + relativePath + "' is not a valid path; expected " + allowed);
        }
        if (path.isAbsolute() || path.getRoot() != null) {
            throw new DataPathException("data path '" + relativePath + "' is absolute; expected " + allowed);
        }
        Path normalized = path.normalize();
        if (normalized.startsWith("..") || normalized.toString().isEmpty()) {
            throw new DataPathException("data path '" + relativePath + "' leaves the data root; expected " + allowed);
        }
        return normalized;
    }
}
