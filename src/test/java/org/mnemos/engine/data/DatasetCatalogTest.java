package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.DatasetSpec;

class DatasetCatalogTest {

    static final Path SHARED = Path.of(System.getProperty("mnemos.shared.data", "../shared/data"));

    @TempDir
    Path temp;

    @Test
    void describesTheSharedMnistFromItsHeaders() {
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(SHARED)));
        DatasetInfo mnist = catalog.describe(DatasetSpec.named("mnist"));
        assertThat(mnist.available()).isTrue();
        assertThat(mnist.height()).isEqualTo(28);
        assertThat(mnist.channels()).isEqualTo(1);
        assertThat(mnist.classNames()).hasSize(10).startsWith("0");
        assertThat(catalog.list()).extracting(DatasetInfo::name).contains("mnist", "fashion-mnist", "synthetic");
        assertThat(catalog.list()).filteredOn(i -> i.name().equals("fashion-mnist")).allMatch(DatasetInfo::available);
    }

    @Test
    void reportsMissingDataSets() {
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(temp)));
        assertThat(catalog.describe(DatasetSpec.named("mnist")).available()).isFalse();
        assertThatThrownBy(() -> catalog.load(DatasetSpec.named("mnist")))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("mnist");
    }

    @Test
    void loadsTinyIdxFilesAndCachesTheSplits() throws Exception {
        IdxReaderTest.writeTinySet(temp.resolve("fashion-mnist"), true);
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(temp)));
        DatasetSplits splits = catalog.load(DatasetSpec.named("fashion-mnist"));
        assertThat(splits.train().labels()).containsExactly(7, 0, 9);
        assertThat(splits.test().size()).isEqualTo(2);
        assertThat(splits.train().classNames().get(0)).isEqualTo("T-shirt/top");
        assertThat(catalog.load(DatasetSpec.named("fashion-mnist"))).isSameAs(splits);
    }

    @Test
    void syntheticFollowsItsSpecAndIsCachedPerConfiguration() {
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of()));
        DatasetSpec small = new DatasetSpec("synthetic", null, null, 3, 4, 2, 12, 3);
        DatasetSplits splits = catalog.load(small);
        assertThat(splits.train().size()).isEqualTo(12);
        assertThat(splits.train().channels()).isEqualTo(3);
        assertThat(catalog.load(small)).isSameAs(splits);
        assertThat(catalog.load(new DatasetSpec("synthetic", null, null, 3, 4, 2, 12, 1))).isNotSameAs(splits);
        assertThat(catalog.describe(small).classNames()).hasSize(3);
    }

    @Test
    void unknownNamesListTheAllowedOnes() {
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of()));
        assertThatThrownBy(() -> catalog.describe(DatasetSpec.named("imagenet21k")))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("mnist")
                .extracting(e -> ((SpecException) e).field())
                .isEqualTo("dataset.name");
    }
}
