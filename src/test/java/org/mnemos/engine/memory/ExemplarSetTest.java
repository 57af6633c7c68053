package org.mnemos.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exemplar file keeps optimised values at their precision and still reads the uint8-only format. */
class ExemplarSetTest {

    @TempDir
    Path dir;

    private static ExemplarSet uint8Set() {
        return new ExemplarSet(
                new byte[] {0, 10, (byte) 200, (byte) 255},
                new int[] {4, 7},
                new int[] {12, -1},
                new ExemplarKind[] {ExemplarKind.REAL, ExemplarKind.SYNTHETIC},
                1,
                2,
                1);
    }

    @Test
    void floatValuesRoundTripAtTheirPrecisionWithAClippedUint8View() throws Exception {
        float[] optimised = {-2.5f, 10.3333f, 199.51f, 300f};
        for (ExemplarStorage storage : ExemplarStorage.values()) {
            ExemplarSet set = uint8Set()
                    .withValues(
                            optimised, new ExemplarKind[] {ExemplarKind.OPTIMIZED, ExemplarKind.OPTIMIZED}, storage);
            assertThat(set.pixels()).containsExactly(0, 10, (byte) 200, (byte) 255);
            assertThat(set.memoryBytes()).isEqualTo(4L * storage.bytesPerValue());
            Path file = dir.resolve(storage.wireName() + ".bin");
            set.write(file);
            ExemplarSet read = ExemplarSet.read(file);
            assertThat(read.storage()).isEqualTo(storage);
            assertThat(read.pixels()).isEqualTo(set.pixels());
            assertThat(read.labels()).containsExactly(4, 7);
            assertThat(read.sourceIndices()).containsExactly(12, -1);
            assertThat(read.kinds()).containsOnly(ExemplarKind.OPTIMIZED);
            switch (storage) {
                case FLOAT32 -> assertThat(read.values()).containsExactly(optimised);
                // binary16 has 11 significant bits: 10.3333 -> 10.3359375, 199.51 -> 199.5
                case FLOAT16 -> assertThat(read.values()).containsExactly(-2.5f, 10.3359375f, 199.5f, 300f);
                case UINT8 -> assertThat(read.values()).isNull();
            }
            assertThat(read.floatValues()).isEqualTo(set.floatValues());
        }
    }

    @Test
    void halfPrecisionRoundsToNearestEven() {
        assertThat(ExemplarStorage.FLOAT16.quantise(0.1f)).isEqualTo(0.0999755859375f);
        assertThat(ExemplarStorage.FLOAT16.quantise(2049f)).isEqualTo(2048f); // tie between 2048 and 2050: even
        assertThat(ExemplarStorage.FLOAT16.quantise(2051f)).isEqualTo(2052f);
        assertThat(ExemplarStorage.FLOAT16.quantise(65504f)).isEqualTo(65504f);
        assertThat(ExemplarStorage.FLOAT16.quantise(1e-7f)).isEqualTo(1.1920928955078125e-7f); // subnormal 2^-23
        assertThat(ExemplarStorage.UINT8.quantise(-3f)).isZero();
        assertThat(ExemplarStorage.UINT8.quantise(254.6f)).isEqualTo(255f);
    }

    @Test
    void filesOfTheUint8OnlyFormatStillRead() throws Exception {
        Path file = dir.resolve("legacy.bin");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x4d4e4558); // "MNEX"
            out.writeInt(2);
            out.writeInt(1);
            out.writeInt(2);
            out.writeInt(1);
            out.writeInt(4);
            out.writeInt(12);
            out.writeByte(ExemplarKind.REAL.ordinal());
            out.writeInt(7);
            out.writeInt(-1);
            out.writeByte(ExemplarKind.SYNTHETIC.ordinal());
            out.write(new byte[] {0, 10, (byte) 200, (byte) 255});
        }
        ExemplarSet read = ExemplarSet.read(file);
        assertThat(read.storage()).isEqualTo(ExemplarStorage.UINT8);
        assertThat(read.values()).isNull();
        assertThat(read.pixels()).isEqualTo(uint8Set().pixels());
        assertThat(read.kinds()).containsExactly(ExemplarKind.REAL, ExemplarKind.SYNTHETIC);
        assertThat(read.memoryBytes()).isEqualTo(4);
    }
}
