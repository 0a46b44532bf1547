package dev.fidelio.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void float32RoundTripKeepsValuesAndShape() {
    float[] values = {1.5f, -2f, 3.25f, 0f, 1e-7f, 6e7f};
    try (Tensor t = Tensor.of(values, 2, 3)) {
      assertEquals(DType.FLOAT32, t.dtype());
      assertArrayEquals(new long[] {2, 3}, t.shape());
      assertEquals(Device.Type.CPU, t.device().type());
      assertArrayEquals(values, t.toFloatArray());
    }
  }

  @Test
  void int64AndFloat64RoundTrip() {
    long[] ids = {101, 2023, Long.MAX_VALUE, -1};
    try (Tensor t = Tensor.of(ids, 4)) {
      assertArrayEquals(ids, t.toLongArray());
    }
    double[] values = {Math.PI, -Math.E};
    try (Tensor t = Tensor.of(values, 1, 1, 2)) {
      assertArrayEquals(values, t.toDoubleArray());
      assertArrayEquals(new long[] {1, 1, 2}, t.shape());
    }
  }

  @Test
  void bfloat16ConversionRoundsToNearestAndBack() {
    try (Tensor f = Tensor.of(new float[] {1f, 2f, 1.00390625f, -3.5f}, 4);
        Tensor bf16 = f.to(DType.BFLOAT16);
        Tensor back = bf16.to(DType.FLOAT32);
        Arena arena = Arena.ofConfined()) {
      assertEquals(DType.BFLOAT16, bf16.dtype());
      var bits = arena.allocate(ValueLayout.JAVA_SHORT, 4);
      bf16.copyTo(bits);
      assertEquals((short) 0x3F80, bits.getAtIndex(ValueLayout.JAVA_SHORT, 0)); // 1.0
      // 1 + 2^-8 lies halfway between two bf16 values: round-to-nearest-even gives 1.0.
      assertArrayEquals(new float[] {1f, 2f, 1f, -3.5f}, back.toFloatArray());
    }
  }

  @Test
  void scalarsAndEmptyTensorsWork() {
    try (Tensor scalar = Tensor.of(new float[] {42f}); Tensor empty = Tensor.zeros(DType.FLOAT32, 0, 5)) {
      assertArrayEquals(new long[0], scalar.shape());
      assertArrayEquals(new float[] {42f}, scalar.toFloatArray());
      assertEquals(0, empty.numel());
      assertArrayEquals(new float[0], empty.toFloatArray());
    }
  }

  @Test
  void copyOfOffHeapSegmentNeedsNoHeapArray() {
    try (Arena arena = Arena.ofConfined()) {
      var data = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f, 2f, 3f, 4f);
      try (Tensor t = Tensor.copyOf(DType.FLOAT32, data, 2, 2)) {
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, t.toFloatArray());
      }
    }
  }
}
