package dev.fidelio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.model.Mlp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Every native failure is one Java exception with the native message, and the JVM lives on. */
class NativeFailureTest {
  @Test
  void shapeMismatchNamesBothShapes() {
    try (Mlp mlp = Mlp.create(4, new long[] {8}, 3, Mlp.Loss.CROSS_ENTROPY, DType.FLOAT32, 1);
        Tensor x = Tensor.zeros(DType.FLOAT32, 5, 7);
        Tensor y = Tensor.of(new long[] {0, 1, 2, 0, 1}, 5)) {
      var e = assertThrows(FidelioException.class, () -> mlp.trainStep(x, y, 1e-3));
      assertEquals(Status.INVALID_ARGUMENT, e.status());
      assertTrue(e.getMessage().contains("[batch, 4]") && e.getMessage().contains("[5, 7]"), e.getMessage());
    }
  }

  @Test
  void wrongDataSizeIsRejected() {
    var e = assertThrows(FidelioException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
    assertTrue(e.getMessage().contains("12 bytes") && e.getMessage().contains("needs 16"), e.getMessage());
  }

  @Test
  void useAfterCloseIsAnErrorNotACrash() {
    Tensor t = Tensor.of(new float[] {1}, 1);
    t.close();
    var e = assertThrows(FidelioException.class, t::shape);
    assertEquals(Status.INVALID_HANDLE, e.status());
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    t.close(); // idempotent: the owner never frees twice
  }

  @Test
  void freedHandleIsRejectedByTheNativeRegistry() {
    try (var call = NativeCall.open()) {
      MemorySegment handle = newRawTensor(call);
      assertEquals(FidelioH.FDL_OK, FidelioH.fdl_tensor_free(handle));
      MemorySegment ndim = call.arena().allocate(ValueLayout.JAVA_INT);
      var e = assertThrows(FidelioException.class,
          () -> call.check(FidelioH.fdl_tensor_ndim(handle, ndim, call.error(), call.errorCapacity()), "fdl_tensor_ndim"));
      assertEquals(Status.INVALID_HANDLE, e.status());
      assertTrue(e.getMessage().contains("not a live fdl_tensor"), e.getMessage());
    }
  }

  @Test
  void doubleFreeIsDetected() {
    try (var call = NativeCall.open()) {
      MemorySegment handle = newRawTensor(call);
      assertEquals(FidelioH.FDL_OK, FidelioH.fdl_tensor_free(handle));
      assertEquals(FidelioH.FDL_ERR_INVALID_HANDLE, FidelioH.fdl_tensor_free(handle));
    }
  }

  @Test
  void foreignAndWrongKindHandlesAreRejected() {
    try (Arena arena = Arena.ofConfined();
        Mlp mlp = Mlp.create(2, new long[0], 2, Mlp.Loss.MSE, DType.FLOAT32, 1)) {
      MemorySegment foreign = arena.allocate(64);
      var e = assertThrows(FidelioException.class, () -> Tensor.adopt(foreign).shape());
      assertTrue(e.getMessage().contains("never created by this library"), e.getMessage());
      // An Mlp handle passed where a tensor is expected.
      try (var call = NativeCall.open()) {
        MemorySegment ndim = call.arena().allocate(ValueLayout.JAVA_INT);
        MemorySegment mlpHandle = mlp.nativeHandle();
        var kind = assertThrows(FidelioException.class, () -> call.check(
            FidelioH.fdl_tensor_ndim(mlpHandle, ndim, call.error(), call.errorCapacity()), "fdl_tensor_ndim"));
        assertTrue(kind.getMessage().contains("is an fdl_mlp, expected an fdl_tensor"), kind.getMessage());
      }
    }
  }

  @Test
  void impossibleAllocationIsOutOfMemory() {
    var overflow = assertThrows(FidelioException.class, () -> Tensor.zeros(DType.FLOAT32, 1L << 40, 1L << 30));
    assertEquals(Status.OUT_OF_MEMORY, overflow.status());
    var allocator = assertThrows(FidelioException.class, () -> Tensor.zeros(DType.FLOAT32, 1L << 42)); // 16 TiB
    assertEquals(Status.OUT_OF_MEMORY, allocator.status());
    assertTrue(allocator.getMessage().toLowerCase().contains("memory"), allocator.getMessage());
    try (Tensor stillWorks = Tensor.of(new float[] {1}, 1)) {
      assertEquals(1, stillWorks.numel());
    }
  }

  @Test
  void invalidArgumentsAreNamed() {
    var e = assertThrows(FidelioException.class,
        () -> Mlp.create(0, new long[] {4}, 2, Mlp.Loss.MSE, DType.FLOAT32, 1));
    assertTrue(e.getMessage().contains("in_features"), e.getMessage());
    var dtype = assertThrows(FidelioException.class,
        () -> Mlp.create(2, new long[] {4}, 2, Mlp.Loss.MSE, DType.INT64, 1));
    assertTrue(dtype.getMessage().contains("FLOAT32 or FLOAT64"), dtype.getMessage());
    try (Mlp mlp = Mlp.create(2, new long[0], 2, Mlp.Loss.MSE, DType.FLOAT32, 1)) {
      var nan = assertThrows(FidelioException.class, () -> {
        try (Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2); Tensor y = Tensor.zeros(DType.FLOAT32, 1, 2)) {
          mlp.trainStep(x, y, Double.NaN);
        }
      });
      assertTrue(nan.getMessage().contains("learning rate"), nan.getMessage());
    }
  }

  private static MemorySegment newRawTensor(NativeCall call) {
    MemorySegment shape = call.arena().allocateFrom(ValueLayout.JAVA_LONG, 3);
    MemorySegment out = call.allocatePointer();
    call.check(FidelioH.fdl_tensor_new(FidelioH.FDL_DTYPE_FLOAT32, shape, 1, MemorySegment.NULL, 0, out, call.error(),
        call.errorCapacity()), "fdl_tensor_new");
    return out.get(ValueLayout.ADDRESS, 0);
  }

}
