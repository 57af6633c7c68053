package org.mnemos.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Loads Python pickles that hold numpy arrays (as the CIFAR python files do) with razorvine's
 * {@link Unpickler}: numpy's reconstruction globals are mapped to {@link NumpyArray} and
 * {@link NumpyDtype}, which numpy's {@code BUILD} state then fills. Python 2 strings arrive as
 * latin-1 {@code String}s, Python 3 {@code bytes} as {@code byte[]}; {@link #text} and
 * {@link #bytes} accept both.
 */
public final class NumpyPickle {

    static {
        IObjectConstructor reconstruct = args -> new NumpyArray();
        IObjectConstructor ndarray = args -> new NumpyArray();
        IObjectConstructor dtype = args -> {
            if (args.length < 1) {
                throw new PickleException("numpy.dtype needs a type code");
            }
            return new NumpyDtype(text(args[0]));
        };
        for (String module : List.of("numpy.core.multiarray", "numpy._core.multiarray")) {
            Unpickler.registerConstructor(module, "_reconstruct", reconstruct);
        }
        Unpickler.registerConstructor("numpy", "ndarray", ndarray);
        Unpickler.registerConstructor("numpy", "dtype", dtype);
    }

    private NumpyPickle() {}

    /** Unpickles one object from the stream. */
    public static Object load(InputStream in) throws IOException {
        Unpickler unpickler = new Unpickler();
        try {
            return unpickler.load(in);
        } finally {
            unpickler.close();
        }
    }

    /** The value under a key that may be pickled as a Python 2 str, Python 3 str or bytes. */
    public static Object get(Map<?, ?> dict, String key) {
        for (Map.Entry<?, ?> entry : dict.entrySet()) {
            Object k = entry.getKey();
            if ((k instanceof String s && s.equals(key))
                    || (k instanceof byte[] b && key.equals(new String(b, StandardCharsets.ISO_8859_1)))) {
                return entry.getValue();
            }
        }
        return null;
    }

    public static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof byte[] b) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        throw new PickleException("expected a string, got "
                + (value == null ? "None" : value.getClass().getSimpleName()));
    }

    public static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof String s) {
            // Python 2 str: razorvine maps each byte to one char
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        throw new PickleException("expected bytes, got "
                + (value == null ? "None" : value.getClass().getSimpleName()));
    }

    /** A numpy dtype as pickled: its type code ({@code u1}, {@code <i8}, ...) and byte order from its state. */
    public static final class NumpyDtype {
        private final String code;
        private String byteOrder = "|";

        NumpyDtype(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public String byteOrder() {
            return byteOrder;
        }

        /** numpy's dtype state: (version, byteorder, subarray, names, fields, elsize, alignment, flags). */
        public void __setstate__(Object[] state) {
            if (state.length > 1 && state[1] != null) {
                byteOrder = text(state[1]);
            }
        }
    }

    /** A numpy array as pickled: shape, dtype, memory order and raw data bytes. */
    public static final class NumpyArray {
        private long[] shape = new long[0];
        private NumpyDtype dtype;
        private boolean fortranOrder;
        private byte[] data = new byte[0];

        public long[] shape() {
            return shape.clone();
        }

        public NumpyDtype dtype() {
            return dtype;
        }

        public boolean fortranOrder() {
            return fortranOrder;
        }

        public byte[] data() {
            return data;
        }

        /** numpy's ndarray state: ([version,] shape, dtype, is_fortran, rawdata). */
        public void __setstate__(Object[] state) {
            Object[] s = state.length == 5 ? Arrays.copyOfRange(state, 1, 5) : state;
            if (s.length != 4) {
                throw new PickleException("unexpected numpy array state of " + state.length + " items");
            }
            Object[] dims = (Object[]) s[0];
            shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = ((Number) dims[i]).longValue();
            }
            if (!(s[1] instanceof NumpyDtype d)) {
                throw new PickleException("numpy array state has no dtype");
            }
            dtype = d;
            fortranOrder = Boolean.TRUE.equals(s[2]) || (s[2] instanceof Number n && n.intValue() != 0);
            if (s[3] instanceof List<?>) {
                throw new PickleException("numpy object arrays are not supported");
            }
            data = bytes(s[3]);
        }
    }
}
