package org.mnemos.engine.model.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static final List<Tensor> TENSORS = List.of(
            Tensor.float32("convnet.conv_1_3x3.weight", new long[] {2, 1, 3, 3}, ramp(18)),
            Tensor.int64("convnet.bn_1.num_batches_tracked", new long[] {}, new long[] {7}),
            Tensor.float32("fc.sigma", new long[] {1}, new float[] {Float.intBitsToFloat(0x7fc00001)}));

    private static float[] ramp(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i * 0.5f - 3.25f;
        }
        return values;
    }

    private static byte[] encode(List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, tensors, metadata);
        return out.toByteArray();
    }

    private Path file(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(file, bytes);
        return file;
    }

    /** A file with the given header text (padded by the caller as it likes) followed by {@code data}. */
    private Path raw(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        return file(buffer.array());
    }

    @Test
    void readsBackBitIdenticalWithContiguousOffsetsEndingAtEof() throws IOException {
        byte[] bytes = encode(TENSORS, Map.of("format", "pt", "classes", "[3, 1]"));
        long headerLength =
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
        SafeTensorsFile file = SafeTensors.read(file(bytes));
        assertEquals(Map.of("format", "pt", "classes", "[3, 1]"), file.metadata());
        long expectedBegin = 0;
        for (int i = 0; i < TENSORS.size(); i++) {
            Tensor written = TENSORS.get(i);
            SafeTensorsFile.Entry entry = file.entries().get(i);
            assertEquals(written.name(), entry.name());
            assertEquals(expectedBegin, entry.begin());
            expectedBegin = entry.end();
            Tensor read = file.tensor(written.name());
            assertEquals(written.dtype(), read.dtype());
            assertArrayEquals(written.shape(), read.shape());
            assertArrayEquals(written.data(), read.data(), "bit-identical, NaN payload included");
        }
        assertEquals(bytes.length, 8 + headerLength + expectedBegin, "the last tensor ends at EOF");
        assertArrayEquals(ramp(18), file.tensor("convnet.conv_1_3x3.weight").floats());
    }

    @Test
    void readsAFileWrittenByPythonSafetensors() throws IOException {
        // huggingface/safetensors orders the header's keys alphabetically; any order must read
        String header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"a\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}";
        SafeTensorsFile file = SafeTensors.read(raw(header, 12));
        assertEquals(
                List.of("b", "a"),
                file.entries().stream().map(SafeTensorsFile.Entry::name).toList());
        assertTrue(file.metadata().isEmpty());
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        byte[] bytes = encode(TENSORS, Map.of());
        for (int cut : new int[] {0, 5, 8, 20, bytes.length - 1}) {
            SafeTensorsException e = assertThrows(
                    SafeTensorsException.class,
                    () -> SafeTensors.read(file(Arrays.copyOf(bytes, cut))),
                    "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("bytes"), e.getMessage());
        }
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFileOrTheLimit() throws IOException {
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.read(file(huge.array())))
                .getMessage()
                .contains("outside"));
        ByteBuffer negative =
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-8);
        assertThrows(SafeTensorsException.class, () -> SafeTensors.read(file(negative.array())));
        ByteBuffer beyond =
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(4096);
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.read(file(beyond.array())))
                .getMessage()
                .contains("past the end"));
        byte[] valid = encode(TENSORS, Map.of());
        assertThrows(SafeTensorsException.class, () -> SafeTensors.read(file(valid), 16));
    }

    @Test
    void rejectsOffsetsThatLieAboutTheData() throws IOException {
        String past = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        SafeTensorsException beyond = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(past, 8)));
        assertEquals("a", beyond.tensor());
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        SafeTensorsException overlapping =
                assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(overlap, 12)));
        assertEquals("b", overlapping.tensor());
        assertTrue(overlapping.getMessage().contains("inside"));
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(gap, 8)))
                .getMessage()
                .contains("gap"));
        String shortOfEof = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(shortOfEof, 8)))
                .getMessage()
                .contains("holds 8 bytes"));
        String wrongSpan = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(wrongSpan, 8)))
                .getMessage()
                .contains("needs 12 bytes"));
        String reversed = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}";
        assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(reversed, 8)));
    }

    @Test
    void rejectsHugeShapesBeforeAllocating() throws IOException {
        String overflow = "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}";
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(overflow, 8)));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        String consistentButAbsent =
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}";
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(consistentButAbsent, 8)))
                .getMessage()
                .contains("past the"));
    }

    @Test
    void rejectsUnknownDtypesAndMalformedHeaders() throws IOException {
        String unknown = "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        SafeTensorsException dtype = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(unknown, 1)));
        assertEquals("a", dtype.tensor());
        assertTrue(dtype.getMessage().contains("unknown dtype"));
        for (String header : List.of(
                "[1, 2]",
                "{\"a\":",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}",
                "{\"__metadata__\":{\"k\":1}}")) {
            assertThrows(SafeTensorsException.class, () -> SafeTensors.read(raw(header, 4)), header);
        }
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, '{', '}'};
        ByteBuffer buffer = ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(4)
                .put(notUtf8);
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.read(file(buffer.array())))
                .getMessage()
                .contains("UTF-8"));
    }

    @Test
    void anEmptyFileOfTensorsIsValid() throws IOException {
        SafeTensorsFile file = SafeTensors.read(file(encode(List.of(), Map.of())));
        assertTrue(file.entries().isEmpty());
        assertNull(file.entry("x"));
    }
}
