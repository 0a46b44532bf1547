package dev.fidelio.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The element types a checkpoint may store, each decoded to float32 (integers, such as batch
 * norm's num_batches_tracked counter, exactly up to 2^24). Safetensors, ONNX and torch.save all
 * store little-endian; the unaligned layouts are needed because no format promises that a tensor
 * starts at a multiple of its element size.
 */
enum StoredDtype {
  F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

  private static final ValueLayout.OfFloat LE_FLOAT =
          ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort LE_SHORT =
          ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble LE_DOUBLE =
          ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
      case I64 -> {
        for (int i = 0; i < count; i++) out[i] = (float) src.get(LE_LONG, offset + 8L * i);
      }
      case I32 -> {
        for (int i = 0; i < count; i++) out[i] = (float) src.get(LE_INT, offset + 4L * i);
      }
      case I16 -> {
        for (int i = 0; i < count; i++) out[i] = src.get(LE_SHORT, offset + 2L * i);
      }
      case I8 -> {
        for (int i = 0; i < count; i++) out[i] = src.get(ValueLayout.JAVA_BYTE, offset + i);
      }
      case U8, BOOL -> {
        for (int i = 0; i < count; i++) out[i] = src.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF;
      }
    }
    return out;
  }
}
