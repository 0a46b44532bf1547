package dev.fidelio.runtime;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.bindings.FidelioH;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** A native tensor (an at::Tensor behind an fdl_tensor handle) owned by this object, used by the thread that made it. */
public final class Tensor extends NativeObject {
  private Tensor(MemorySegment handle) {
    super("Tensor", handle, FidelioH::fdl_tensor_free, Sharing.OWNER_THREAD);
  }

  /** Takes ownership of a handle returned by a native function. */
  public static Tensor adopt(MemorySegment handle) {
    return new Tensor(handle);
  }

  public static Tensor of(float[] data, long... shape) {
    try (var call = NativeCall.open()) {
      return fromSegment(call, DType.FLOAT32, call.arena().allocateFrom(JAVA_FLOAT, data), shape);
    }
  }

  public static Tensor of(double[] data, long... shape) {
    try (var call = NativeCall.open()) {
      return fromSegment(call, DType.FLOAT64, call.arena().allocateFrom(JAVA_DOUBLE, data), shape);
    }
  }

  public static Tensor of(long[] data, long... shape) {
    try (var call = NativeCall.open()) {
      return fromSegment(call, DType.INT64, call.arena().allocateFrom(JAVA_LONG, data), shape);
    }
  }

  public static Tensor of(int[] data, long... shape) {
    try (var call = NativeCall.open()) {
      return fromSegment(call, DType.INT32, call.arena().allocateFrom(JAVA_INT, data), shape);
    }
  }

  /** A tensor copied from off-heap memory holding row-major elements of dtype. */
  public static Tensor copyOf(DType dtype, MemorySegment data, long... shape) {
    try (var call = NativeCall.open()) {
      return fromSegment(call, dtype, data, shape);
    }
  }

  public static Tensor zeros(DType dtype, long... shape) {
    try (var call = NativeCall.open()) {
      return fromSegment(call, dtype, MemorySegment.NULL, shape);
    }
  }

  private static Tensor fromSegment(NativeCall call, DType dtype, MemorySegment data, long[] shape) {
    MemorySegment dims = call.arena().allocateFrom(JAVA_LONG, shape);
    MemorySegment out = call.allocatePointer();
    call.check(FidelioH.fdl_tensor_new(dtype.code(), dims, shape.length, data, data.byteSize(), out, call.error(),
        call.errorCapacity()), "fdl_tensor_new");
    return adopt(handleFrom(out));
  }

  /** The raw handle, for passing to other native calls; valid while this tensor is open. */
  public MemorySegment nativeHandle() {
    return handle();
  }

  public DType dtype() {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_tensor_dtype(handle(), out, call.error(), call.errorCapacity()), "fdl_tensor_dtype");
      return DType.of(out.get(JAVA_INT, 0));
    }
  }

  public long[] shape() {
    try (var call = NativeCall.open()) {
      MemorySegment dims = call.arena().allocate(JAVA_LONG, FidelioH.FDL_MAX_DIMS);
      MemorySegment ndim = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_tensor_ndim(handle(), ndim, call.error(), call.errorCapacity()), "fdl_tensor_ndim");
      call.check(FidelioH.fdl_tensor_shape(handle(), dims, FidelioH.FDL_MAX_DIMS, call.error(), call.errorCapacity()),
          "fdl_tensor_shape");
      return Arrays.copyOf(dims.toArray(JAVA_LONG), ndim.get(JAVA_INT, 0));
    }
  }

  public long numel() {
    long n = 1;
    for (long d : shape()) n *= d;
    return n;
  }

  public Device device() {
    try (var call = NativeCall.open()) {
      MemorySegment type = call.arena().allocate(JAVA_INT);
      MemorySegment index = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_tensor_device(handle(), type, index, call.error(), call.errorCapacity()),
          "fdl_tensor_device");
      return new Device(Device.Type.of(type.get(JAVA_INT, 0)), index.get(JAVA_INT, 0));
    }
  }

  /** Copies all elements (row-major) into dst, which must be exactly numel * element size bytes. */
  public void copyTo(MemorySegment dst) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_tensor_copy_to_host(handle(), dst, dst.byteSize(), call.error(), call.errorCapacity()),
          "fdl_tensor_copy_to_host");
    }
  }

  public float[] toFloatArray() {
    requireDType(DType.FLOAT32);
    try (var call = NativeCall.open()) {
      MemorySegment host = call.arena().allocate(JAVA_FLOAT, numel());
      copyTo(host);
      return host.toArray(JAVA_FLOAT);
    }
  }

  public double[] toDoubleArray() {
    requireDType(DType.FLOAT64);
    try (var call = NativeCall.open()) {
      MemorySegment host = call.arena().allocate(JAVA_DOUBLE, numel());
      copyTo(host);
      return host.toArray(JAVA_DOUBLE);
    }
  }

  public long[] toLongArray() {
    requireDType(DType.INT64);
    try (var call = NativeCall.open()) {
      MemorySegment host = call.arena().allocate(JAVA_LONG, numel());
      copyTo(host);
      return host.toArray(JAVA_LONG);
    }
  }

  /** A new tensor with these values converted to dtype, on the same device kind (CPU here). */
  public Tensor to(DType dtype) {
    return to(dtype, Device.CPU);
  }

  public Tensor to(DType dtype, Device device) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_tensor_to(handle(), dtype.code(), device.type().code(), device.index(), out, call.error(),
          call.errorCapacity()), "fdl_tensor_to");
      return adopt(handleFrom(out));
    }
  }

  private void requireDType(DType expected) {
    DType actual = dtype();
    if (actual != expected) {
      throw new FidelioException(Status.INVALID_ARGUMENT, "tensor has dtype " + actual + ", not " + expected
          + "; convert it with to(DType." + expected + ")");
    }
  }

  @Override
  public String toString() {
    return isClosed() ? "Tensor(closed)" : "Tensor(" + dtype() + ", " + Arrays.toString(shape()) + ")";
  }
}
