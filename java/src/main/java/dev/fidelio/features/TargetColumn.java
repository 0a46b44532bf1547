package dev.fidelio.features;

import dev.fidelio.runtime.Tensor;

/** One output feature's target values for every row of a dataset split. */
public sealed interface TargetColumn {
  Tensor tensor(int[] rows);

  /** Category class indices into the feature's vocabulary. */
  record ClassIds(long[] ids) implements TargetColumn {
    @Override
    public Tensor tensor(int[] rows) {
      long[] batch = new long[rows.length];
      for (int i = 0; i < rows.length; i++) batch[i] = ids[rows[i]];
      return Tensor.of(batch, rows.length);
    }
  }

  /** 0/1 (binary) or real values (number). */
  record Values(float[] values) implements TargetColumn {
    @Override
    public Tensor tensor(int[] rows) {
      float[] batch = new float[rows.length];
      for (int i = 0; i < rows.length; i++) batch[i] = values[rows[i]];
      return Tensor.of(batch, rows.length);
    }
  }
}
