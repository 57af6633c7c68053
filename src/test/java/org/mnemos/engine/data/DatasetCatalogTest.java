package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.DataPathException;
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
        assertThat(catalog.list())
                .filteredOn(i -> i.name().equals("fashion-mnist"))
                .allMatch(DatasetInfo::available);
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
        assertThat(catalog.load(new DatasetSpec("synthetic", null, null, 3, 4, 2, 12, 1)))
                .isNotSameAs(splits);
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

    @Test
    void describesCifarFromTheSharedMetadataWithoutImages() {
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(SHARED)));
        DatasetInfo cifar100 = catalog.describe(DatasetSpec.named("cifar100"));
        assertThat(cifar100.available()).isFalse();
        assertThat(cifar100.classNames()).hasSize(100).startsWith("apple");
        assertThat(cifar100.channels()).isEqualTo(3);
        assertThat(catalog.describe(DatasetSpec.named("CIFAR10")).classNames()).startsWith("airplane");
        assertThatThrownBy(() -> catalog.load(DatasetSpec.named("cifar10")))
                .isInstanceOf(DataPathException.class)
                .hasMessageContaining("cifar-10");
    }

    @Test
    void loadsCifarBinaryFilesFromARoot() throws Exception {
        Path dir = temp.resolve("cifar-10");
        for (int b = 1; b <= 5; b++) {
            CifarReaderTest.write(
                    dir.resolve("data_batch_" + b + ".bin"),
                    CifarReaderTest.binaryRecords(b, null, new int[] {b}),
                    false);
        }
        CifarReaderTest.write(
                dir.resolve("test_batch.bin"), CifarReaderTest.binaryRecords(0, null, new int[] {6}), false);
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(temp)));
        assertThat(catalog.list()).filteredOn(i -> i.name().equals("cifar10")).allMatch(DatasetInfo::available);
        DatasetSplits splits = catalog.load(DatasetSpec.named("cifar10"));
        assertThat(splits.train().labels()).containsExactly(1, 2, 3, 4, 5);
        assertThat(splits.numClasses()).isEqualTo(10);
    }

    @Test
    void imageFolderIsResolvedInsideTheRoots() throws Exception {
        ImageFolderReaderTest.writeTree(temp.resolve("sets/tiny"));
        DatasetCatalog catalog = new DatasetCatalog(new DataRoots(List.of(temp)));
        DatasetSpec spec = new DatasetSpec("imagefolder", "sets/tiny", 8, null, null, null, null, null);
        DatasetInfo info = catalog.describe(spec);
        assertThat(info.classNames()).containsExactly("blue", "red");
        assertThat(info.height()).isEqualTo(8);
        DatasetSplits splits = catalog.load(spec);
        assertThat(splits.train().size()).isEqualTo(3);
        assertThat(catalog.load(spec)).isSameAs(splits);
        assertThatThrownBy(() ->
                        catalog.describe(new DatasetSpec("imagefolder", "../etc", 8, null, null, null, null, null)))
                .isInstanceOf(SpecException.class)
                .extracting(e -> ((SpecException) e).field())
                .isEqualTo("dataset.path");
        assertThatThrownBy(() -> catalog.load(DatasetSpec.named("imagefolder"))).isInstanceOf(SpecException.class);
    }
}
