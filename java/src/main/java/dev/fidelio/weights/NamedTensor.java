package dev.fidelio.weights;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One float32 parameter, named by its Hugging Face state_dict key, in PyTorch layout (row-major,
 * Linear weights [out, in]).
 *
 * <p>The data is one heap {@code float[]}: the GC owns it (no arena lifetime to manage for a
 * checkpoint that outlives its file mapping), and copying it into a native tensor is a single
 * bulk {@code MemorySegment.copy} from {@link #segment()}.
 */
public record NamedTensor(String name, long[] shape, float[] data) {

  public NamedTensor {
    shape = shape.clone();
    long numel = numel(shape);
    if (numel != data.length) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
              + " holds " + numel + " elements but data has " + data.length);
    }
  }

  /** Product of the dimensions; 1 for a scalar (empty shape). */
  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  public long numel() {
    return data.length;
  }

  /** A heap segment over the data, for one bulk copy into native memory. */
  public MemorySegment segment() {
    return MemorySegment.ofArray(data);
  }

  public NamedTensor renamed(String newName) {
    return new NamedTensor(newName, shape, data);
  }

  /** The 2-D transpose, e.g. an ONNX MatMul weight [in, out] to a PyTorch Linear weight [out, in]. */
  public NamedTensor transposed2d(String newName) {
    if (shape.length != 2) {
      throw new IllegalArgumentException("transpose of '" + name + "' needs rank 2, shape is " + Arrays.toString(shape));
    }
    int rows = (int) shape[0], cols = (int) shape[1];
    float[] out = new float[data.length];
    for (int r = 0; r < rows; r++) {
      int rowBase = r * cols;
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = data[rowBase + c];
      }
    }
    return new NamedTensor(newName, new long[] {cols, rows}, out);
  }

  /** Records compare arrays by identity; weights are compared by content. */
  @Override
  public boolean equals(Object o) {
    return o instanceof NamedTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
            && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
