package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.DataPathException;

class DataRootsTest {

    @TempDir
    Path temp;

    private DataRoots rootsWithTree() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root"));
        Files.createDirectories(root.resolve("foo/bar"));
        Files.writeString(root.resolve("foo/bar/file.txt"), "x");
        Files.createDirectories(temp.resolve("outside"));
        Files.writeString(temp.resolve("outside/secret.txt"), "s");
        return new DataRoots(List.of(root));
    }

    @Test
    void resolvesPathsInsideARoot() throws Exception {
        DataRoots roots = rootsWithTree();
        assertThat(roots.resolve("foo/bar/file.txt"))
                .isEqualTo(temp.resolve("root/foo/bar/file.txt").toRealPath());
        assertThat(roots.resolve("foo/./bar/../bar"))
                .isEqualTo(temp.resolve("root/foo/bar").toRealPath());
    }

    @Test
    void rejectsParentEscapes() throws Exception {
        DataRoots roots = rootsWithTree();
        assertThatThrownBy(() -> roots.resolve("../etc"))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("leaves");
        assertThatThrownBy(() -> roots.resolve("foo/../../x"))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("leaves");
        assertThatThrownBy(() -> roots.resolve("../outside/secret.txt")).isInstanceOf(DataPathException.class);
    }

    @Test
    void rejectsAbsolutePaths() throws Exception {
        DataRoots roots = rootsWithTree();
        assertThatThrownBy(() -> roots.resolve("/etc/passwd"))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("absolute")
                .hasMessageContaining("relative to a data root");
        assertThatThrownBy(() -> roots.resolve(temp.resolve("root/foo").toString()))
                .isInstanceOf(DataPathException.class);
        assertThatThrownBy(() -> roots.resolve("")).isInstanceOf(DataPathException.class);
    }

    @Test
    void rejectsSymlinksPointingOutside() throws Exception {
        DataRoots roots = rootsWithTree();
        Files.createSymbolicLink(temp.resolve("root/escape"), temp.resolve("outside"));
        Files.createSymbolicLink(temp.resolve("root/inside"), temp.resolve("root/foo"));
        assertThatThrownBy(() -> roots.resolve("escape/secret.txt"))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> roots.resolve("escape")).isInstanceOf(DataPathException.class);
        assertThat(roots.resolve("inside/bar/file.txt"))
                .isEqualTo(temp.resolve("root/foo/bar/file.txt").toRealPath());
    }

    @Test
    void missingPathsAreReported() throws Exception {
        DataRoots roots = rootsWithTree();
        assertThatThrownBy(() -> roots.resolve("nope"))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void firstRootHavingThePathWins() throws Exception {
        Path a = Files.createDirectories(temp.resolve("a"));
        Path b = Files.createDirectories(temp.resolve("b/mnist"));
        Files.createDirectories(temp.resolve("b/shared"));
        Files.createDirectories(a.resolve("shared"));
        DataRoots roots = DataRoots.fromPathList(a + "::" + temp.resolve("b"));
        assertThat(roots.roots()).containsExactly(a, temp.resolve("b"));
        assertThat(roots.resolve("shared")).isEqualTo(a.resolve("shared").toRealPath());
        assertThat(roots.datasetDirectory("mnist")).contains(b);
        assertThat(roots.datasetDirectory("cifar-10")).isEmpty();
        assertThatThrownBy(() -> roots.datasetDirectory("../mnist")).isInstanceOf(DataPathException.class);
    }
}
