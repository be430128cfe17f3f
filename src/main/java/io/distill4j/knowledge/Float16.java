package io.distill4j.knowledge;

/**
 * IEEE 754 binary16 ("half") conversions, for Java 17, which lacks {@code Float.floatToFloat16} and
 * {@code Float.float16ToFloat} (Java 20). A half is kept as the 16 bits of a {@code short}: 1 sign bit, 5 exponent
 * bits (bias 15), 10 mantissa bits. It holds magnitudes up to 65504 with a relative precision of 2^-11 for normal
 * numbers (at least 2^-14 = 6.1e-5); below that, subnormals go down to 2^-24 = 6.0e-8 with an absolute precision of
 * 2^-24, and smaller magnitudes round to (signed) zero.
 *
 * <p>{@link #toHalf} rounds to the nearest half, ties to even (the IEEE default, as {@code Float.floatToFloat16}
 * does); magnitudes of 65520 and more round to infinity; NaN stays NaN (quiet, with the top bits of its payload).
 * {@link #toFloat} is exact: every half is a float.
 */
public final class Float16 {
    /** 1.0 as a half. */
    public static final short ONE = 0x3C00;
    /** The largest finite half, 65504. */
    public static final float MAX_VALUE = 65504f;
    /** The smallest positive (subnormal) half, 2^-24. */
    public static final float MIN_VALUE = 0x1p-24f;

    private Float16() {}

    /** The half nearest to {@code f}, ties to even. */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) { // infinity or NaN
            return (short) (mant == 0 ? sign | 0x7C00 : sign | 0x7E00 | (mant >>> 13));
        }
        int e = exp - 127 + 15; // the half's biased exponent
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00); // too large: infinity
        }
        if (e <= 0) { // a half subnormal, or zero
            if (e < -10) {
                return (short) sign; // below 2^-25, half the smallest subnormal: rounds to zero
            }
            int m = mant | 0x800000; // with the implicit bit; the value is m * 2^(e - 1 - 24 + 1 - 14) ...
            int shift = 14 - e;      // ... so in units of 2^-24 it is m >> shift
            int h = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (h & 1) != 0)) {
                h++; // may become the smallest normal, 0x0400, which is right
            }
            return (short) (sign | h);
        }
        int h = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
            h++; // a carry into the exponent is right, up to infinity (0x7C00)
        }
        return (short) (sign | h);
    }

    /** The float equal to the half {@code h} (NaN for a NaN, keeping its payload). */
    public static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) { // zero or subnormal: mant * 2^-24, exact in a float
            float v = mant * MIN_VALUE;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
