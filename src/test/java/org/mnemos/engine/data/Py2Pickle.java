package org.mnemos.engine.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the protocol-2 opcodes Python 2's cPickle emits for the official CIFAR python files: a
 * dict of str keys, str/int lists and a numpy uint8 array pickled through
 * {@code numpy.core.multiarray._reconstruct} + BUILD state (version, shape, dtype, fortran, raw str).
 */
final class Py2Pickle {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int memo = 1;

    private Py2Pickle() {
        out.write(0x80);
        out.write(2);
    }

    /** A dict whose entries are given as key, value, key, value ...; values: String, Integer, List, byte[][] (numpy 2-D). */
    static byte[] dict(Object... keysAndValues) {
        Py2Pickle p = new Py2Pickle();
        p.op('}');
        p.put();
        p.op('(');
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.str((String) keysAndValues[i]);
            p.value(keysAndValues[i + 1]);
        }
        p.op('u');
        p.op('.');
        return p.out.toByteArray();
    }

    private void value(Object value) {
        if (value instanceof String s) {
            str(s);
        } else if (value instanceof Integer n) {
            integer(n);
        } else if (value instanceof List<?> list) {
            op(']');
            put();
            op('(');
            for (Object item : list) {
                value(item);
            }
            op('e');
        } else if (value instanceof byte[][] rows) {
            uint8Array(rows);
        } else {
            throw new IllegalArgumentException("cannot pickle " + value);
        }
    }

    private void uint8Array(byte[][] rows) {
        global("numpy.core.multiarray", "_reconstruct");
        global("numpy", "ndarray");
        integer(0);
        op(0x85); // TUPLE1
        put();
        str("b");
        op(0x87); // TUPLE3
        put();
        op('R');
        put();
        op('(');
        integer(1);
        integer(rows.length);
        integer(rows.length == 0 ? 0 : rows[0].length);
        op(0x86); // TUPLE2
        put();
        global("numpy", "dtype");
        str("u1");
        integer(0);
        integer(1);
        op(0x87);
        put();
        op('R');
        put();
        op('(');
        integer(3);
        str("|");
        op('N');
        op('N');
        op('N');
        integer(-1);
        integer(-1);
        integer(0);
        op('t');
        put();
        op('b');
        op(0x89); // NEWFALSE
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (byte[] row : rows) {
            raw.writeBytes(row);
        }
        binstring(raw.toByteArray());
        op('t');
        put();
        op('b');
    }

    private void global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        put();
    }

    private void str(String s) {
        binstring(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void binstring(byte[] bytes) {
        if (bytes.length < 256) {
            op('U');
            out.write(bytes.length);
        } else {
            op('T');
            int n = bytes.length;
            out.write(n & 0xff);
            out.write((n >> 8) & 0xff);
            out.write((n >> 16) & 0xff);
            out.write((n >>> 24) & 0xff);
        }
        out.writeBytes(bytes);
        put();
    }

    private void integer(int n) {
        if (n >= 0 && n < 256) {
            op('K');
            out.write(n);
        } else if (n >= 0 && n < 65536) {
            op('M');
            out.write(n & 0xff);
            out.write(n >> 8);
        } else {
            op('J');
            out.write(n & 0xff);
            out.write((n >> 8) & 0xff);
            out.write((n >> 16) & 0xff);
            out.write((n >>> 24) & 0xff);
        }
    }

    private void put() {
        if (memo < 256) {
            op('q');
            out.write(memo);
        } else {
            op('r');
            out.write(memo & 0xff);
            out.write((memo >> 8) & 0xff);
            out.write((memo >> 16) & 0xff);
            out.write((memo >>> 24) & 0xff);
        }
        memo++;
    }

    private void op(int code) {
        out.write(code);
    }
}
