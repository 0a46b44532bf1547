package dev.fidelio.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The floating-point element types a checkpoint may store, each decoded to float32. Both
 * safetensors and ONNX store little-endian; the unaligned layouts are needed because neither
 * format promises that a tensor starts at a multiple of its element size.
 */
enum StoredDtype {
    F32(4), F16(2), BF16(2), F64(8);

    private static final ValueLayout.OfFloat LE_FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_DOUBLE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final int byteSize;

    StoredDtype(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Decodes {@code count} elements starting at byte {@code offset} of {@code src}. */
    float[] decode(MemorySegment src, long offset, int count) {
        float[] out = new float[count];
        switch (this) {
            // One bulk copy: byte-swapped only on a big-endian host.
            case F32 -> MemorySegment.copy(src, LE_FLOAT, offset, out, 0, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = Float.float16ToFloat(src.get(LE_SHORT, offset + 2L * i));
                }
            }
            // bfloat16 is the top half of a float32, so widening is exact.
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = Float.intBitsToFloat((src.get(LE_SHORT, offset + 2L * i) & 0xFFFF) << 16);
                }
            }
            // Narrowing rounds to nearest, as torch's .float() does.
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = (float) src.get(LE_DOUBLE, offset + 8L * i);
                }
            }
        }
        return out;
    }
}
