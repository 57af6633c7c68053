package org.mnemos.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.LocalRun;
import org.mnemos.engine.data.CifarReader;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.protocol.ClassOrders;
import org.mnemos.engine.spec.ExperimentSpec;
import org.mnemos.experiment.SpecReader;

/**
 * The CIFAR-100 LUCIR preset is ready to run where the data is: on a data root holding a tiny
 * CIFAR-100 in the official binary format it plans the published protocol and trains every phase.
 */
class Cifar100PresetTest {

    @Test
    void lucirB50PresetRunsOnOfficialFormatFiles(@TempDir Path root) throws IOException {
        writeTinyCifar100(root.resolve("cifar-100"), 2, 1);
        SpecReader reader = new SpecReader(new PresetCatalog(SpecReader.json()));
        // the published protocol, shortened to one epoch so the test stays small
        ExperimentSpec spec = reader.read("""
                {"preset": "cifar100-lucir-b50-10", "training": {"epochs": 1, "batchSize": 32}}
                """.getBytes(StandardCharsets.UTF_8)).spec();
        CilEngine engine = new CilEngine(new DatasetCatalog(new DataRoots(List.of(root))));
        LocalRun.Result result = LocalRun.run(engine, spec, root.resolve("work"), Device.cpu(), p -> {});

        assertThat(result.plan().classOrder()).isEqualTo(ClassOrders.SEED_1993);
        assertThat(result.plan().phases()).hasSize(11);
        assertThat(result.plan().phases().get(0)).hasSize(50);
        assertThat(result.plan().spec().model().backbone()).isEqualTo("resnet32");
        assertThat(result.phases()).hasSize(11);
        // 20 per class requested, 2 images per class exist: every seen class keeps both
        assertThat(result.phases().get(10).exemplarCount()).isEqualTo(200);
        assertThat(result.phases().get(10).accuracyRow()).hasSize(11);
    }

    /** CIFAR-100's binary layout: per record a coarse byte, a fine byte and 3072 planar RGB bytes. */
    private static void writeTinyCifar100(Path dir, int trainPerClass, int testPerClass) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(5);
        Files.write(dir.resolve("train.bin"), records(trainPerClass, random));
        Files.write(dir.resolve("test.bin"), records(testPerClass, random));
        Files.writeString(dir.resolve("fine_label_names.txt"), String.join("\n", CifarReader.CIFAR100_CLASSES) + "\n");
    }

    private static byte[] records(int perClass, Random random) {
        byte[] bytes = new byte[100 * perClass * 3074];
        int offset = 0;
        for (int label = 0; label < 100; label++) {
            for (int i = 0; i < perClass; i++) {
                bytes[offset] = (byte) (label / 5);
                bytes[offset + 1] = (byte) label;
                for (int p = 0; p < 3072; p++) {
                    // a class-dependent colour plus noise
                    bytes[offset + 2 + p] = (byte) ((label * 37 + (p / 1024) * 80 + random.nextInt(40)) & 0xff);
                }
                offset += 3074;
            }
        }
        return bytes;
    }
}
