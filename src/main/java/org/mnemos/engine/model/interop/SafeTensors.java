package org.mnemos.engine.model.interop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a UTF-8
 * JSON header mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}
 * (begin and end in the data section) plus an optional {@code __metadata__} of strings, padded with
 * spaces to a multiple of 8, then the tensors' bytes back to back up to the end of the file.
 *
 * <p>DJL's {@code NDList.decode} reads the format too, but trusts the header: it allocates the
 * declared header length and the largest declared offset before reading them, and checks neither
 * the contiguity of the offsets nor the file's end. This reader checks everything against the file
 * before it allocates anything beyond the (limited) header.
 */
public final class SafeTensors {

    public static final String METADATA = "__metadata__";
    /** The header limit of huggingface/safetensors' own reader. */
    public static final long DEFAULT_MAX_HEADER_BYTES = 100_000_000L;

    private static final int MAX_NAME_LENGTH = 512;
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private SafeTensors() {}

    /** Writes the tensors in the given order, with {@code metadata} as the header's {@code __metadata__} (omitted when empty). */
    public static void write(OutputStream out, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Tensor tensor : tensors) {
            if (tensor.name().equals(METADATA) || header.has(tensor.name())) {
                throw new IllegalArgumentException("tensor name '" + tensor.name() + "' is reserved or repeated");
            }
            ObjectNode entry = header.putObject(tensor.name());
            entry.put("dtype", tensor.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long dim : tensor.shape()) {
                shape.add(dim);
            }
            entry.putArray("data_offsets").add(offset).add(offset + tensor.data().length);
            offset += tensor.data().length;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        out.write(ByteBuffer.allocate(Long.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(padded)
                .array());
        out.write(headerBytes);
        for (Tensor tensor : tensors) {
            out.write(tensor.data());
        }
    }

    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            write(out, tensors, metadata);
        }
    }

    /** Reads and checks the header of {@code file}; the tensors' bytes are read on demand. */
    public static SafeTensorsFile read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_HEADER_BYTES);
    }

    /**
     * As {@link #read(Path)} with a limit on the header's length.
     *
     * @throws SafeTensorsException when the file is not a well-formed safetensors file
     */
    public static SafeTensorsFile read(Path file, long maxHeaderBytes) throws IOException {
        long size = Files.size(file);
        if (size < Long.BYTES) {
            throw new SafeTensorsException(
                    "the file has " + size + " bytes; a safetensors file starts with an 8-byte header length");
        }
        byte[] headerBytes;
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long headerLength = readFully(channel, Long.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .getLong();
            if (headerLength <= 0 || headerLength > maxHeaderBytes) {
                throw new SafeTensorsException("the header length " + Long.toUnsignedString(headerLength)
                        + " is outside [1, " + maxHeaderBytes + "]");
            }
            if (headerLength > size - Long.BYTES) {
                throw new SafeTensorsException("the header length " + headerLength + " runs past the end of the file ("
                        + size + " bytes): the file is truncated or not safetensors");
            }
            headerBytes = readFully(channel, (int) headerLength).array();
        }
        long dataStart = Long.BYTES + (long) headerBytes.length;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<SafeTensorsFile.Entry> entries = parseHeader(headerBytes, metadata);
        checkOffsets(entries, size - dataStart);
        return new SafeTensorsFile(file, dataStart, entries, metadata);
    }

    private static List<SafeTensorsFile.Entry> parseHeader(byte[] headerBytes, Map<String, String> metadata)
            throws SafeTensorsException {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException("the header is not UTF-8");
        }
        if (!text.startsWith("{")) {
            throw new SafeTensorsException("the header is not a JSON object");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new SafeTensorsException("the header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new SafeTensorsException("the header is not a JSON object");
        }
        List<SafeTensorsFile.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            if (name.equals(METADATA)) {
                readMetadata(field.getValue(), metadata);
                continue;
            }
            if (name.isEmpty()
                    || name.length() > MAX_NAME_LENGTH
                    || name.chars().anyMatch(Character::isISOControl)) {
                throw new SafeTensorsException("a tensor name is empty, longer than " + MAX_NAME_LENGTH
                        + " characters or holds control characters");
            }
            entries.add(parseEntry(name, field.getValue()));
        }
        return entries;
    }

    private static void readMetadata(JsonNode node, Map<String, String> metadata) throws SafeTensorsException {
        if (!node.isObject()) {
            throw new SafeTensorsException(METADATA + " is not an object of strings");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isString()) {
                throw new SafeTensorsException(METADATA + "." + entry.getKey() + " is not a string");
            }
            metadata.put(entry.getKey(), entry.getValue().asString());
        }
    }

    private static SafeTensorsFile.Entry parseEntry(String name, JsonNode node) throws SafeTensorsException {
        if (!node.isObject()
                || node.size() != 3
                || !node.has("dtype")
                || !node.has("shape")
                || !node.has("data_offsets")) {
            throw new SafeTensorsException(name, "needs exactly dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        Dtype dtype = dtypeNode.isString() ? Dtype.named(dtypeNode.asString()) : null;
        if (dtype == null) {
            throw new SafeTensorsException(name, "unknown dtype " + dtypeNode + "; allowed: " + Dtype.NAMES);
        }
        long[] shape = longs(name, node.get("shape"), "shape", -1);
        long[] offsets = longs(name, node.get("data_offsets"), "data_offsets", 2);
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.elementsOf(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(name, "shape " + Arrays.toString(shape) + " is too large");
        }
        if (offsets[1] < offsets[0] || offsets[1] - offsets[0] != bytes) {
            throw new SafeTensorsException(
                    name,
                    "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes + " bytes, but data_offsets "
                            + Arrays.toString(offsets) + " span " + (offsets[1] - offsets[0]));
        }
        return new SafeTensorsFile.Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] longs(String name, JsonNode node, String field, int expectedLength)
            throws SafeTensorsException {
        if (!node.isArray() || (expectedLength >= 0 && node.size() != expectedLength) || node.size() > 8) {
            throw new SafeTensorsException(
                    name,
                    field + " must be a list of " + (expectedLength >= 0 ? expectedLength : "at most 8")
                            + " non-negative integers");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = node.get(i);
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
                throw new SafeTensorsException(name, field + " must be a list of non-negative integers, got " + node);
            }
            values[i] = value.asLong();
        }
        return values;
    }

    /** The tensors must tile the data section exactly: from 0, without gaps or overlaps, to the file's end. */
    private static void checkOffsets(List<SafeTensorsFile.Entry> entries, long dataBytes) throws SafeTensorsException {
        List<SafeTensorsFile.Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(
                Comparator.comparingLong(SafeTensorsFile.Entry::begin).thenComparingLong(SafeTensorsFile.Entry::end));
        long expected = 0;
        for (SafeTensorsFile.Entry entry : byOffset) {
            if (entry.end() > dataBytes) {
                throw new SafeTensorsException(
                        entry.name(),
                        "data_offsets end at " + entry.end() + ", past the " + dataBytes
                                + " bytes of data in the file: the file is truncated or the header lies");
            }
            if (entry.begin() < expected) {
                throw new SafeTensorsException(
                        entry.name(),
                        "data_offsets begin at " + entry.begin() + ", inside the previous tensor's bytes (ending at "
                                + expected + ")");
            }
            if (entry.begin() > expected) {
                throw new SafeTensorsException(
                        entry.name(),
                        "data_offsets begin at " + entry.begin() + ", leaving a gap after byte " + expected);
            }
            expected = entry.end();
        }
        if (expected != dataBytes) {
            throw new SafeTensorsException("the tensors end at byte " + expected + " of the data, but the file holds "
                    + dataBytes + " bytes of data");
        }
    }

    static ByteBuffer readFully(SeekableByteChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new SafeTensorsException("the file ended early");
            }
        }
        return buffer.flip();
    }
}
