package org.mnemos.engine.memory;

import java.util.List;
import java.util.Locale;
import org.mnemos.engine.SpecException;

/**
 * The precision optimised exemplars are kept at. Values are pixel intensities in [0, 255] (HWC),
 * the scale of the stored images, so {@code uint8} is the usual image memory and the float
 * precisions keep what an optimiser produced between the integer levels.
 */
public enum ExemplarStorage {
    FLOAT32(4),
    FLOAT16(2),
    UINT8(1);

    public static final List<String> NAMES = List.of("float32", "float16", "uint8");

    private final int bytesPerValue;

    ExemplarStorage(int bytesPerValue) {
        this.bytesPerValue = bytesPerValue;
    }

    public int bytesPerValue() {
        return bytesPerValue;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExemplarStorage named(String name) {
        return switch (name) {
            case "float32" -> FLOAT32;
            case "float16" -> FLOAT16;
            case "uint8" -> UINT8;
            default -> throw new SpecException("memory.storage", "unknown storage '" + name + "'; allowed: " + NAMES);
        };
    }

    /** The value as this precision holds it: float16 rounds to nearest even, uint8 rounds and clips. */
    public float quantise(float value) {
        return switch (this) {
            case FLOAT32 -> value;
            case FLOAT16 -> halfToFloat(floatToHalf(value));
            case UINT8 -> toByte(value) & 0xff;
        };
    }

    /** The viewable uint8 level of a value: rounded and clipped to [0, 255] (never wrapped). */
    public static byte toByte(float value) {
        return (byte) Math.max(0, Math.min(255, Math.round(value)));
    }

    /** IEEE 754 binary16 bits of a float (what float16 storage writes). */
    public static short halfBits(float value) {
        return floatToHalf(value);
    }

    /** IEEE 754 binary16 bits of a float, round to nearest even (Float.floatToFloat16 needs Java 20). */
    static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (halfExponent <= 0) {
            if (halfExponent < -10) {
                return (short) sign;
            }
            // subnormal: shift the mantissa (with its implicit 1) right, rounding to nearest even
            int full = mantissa | 0x800000;
            int shift = 14 - halfExponent;
            int half = full >> shift;
            int remainder = full & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (remainder > midpoint || (remainder == midpoint && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (halfExponent << 10) | (mantissa >> 13);
        int remainder = mantissa & 0x1fff;
        if (remainder > 0x1000 || (remainder == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the correct rounding up
        }
        return (short) (sign | half);
    }

    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
