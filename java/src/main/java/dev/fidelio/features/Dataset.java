package dev.fidelio.features;

import dev.fidelio.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A preprocessed split: per input feature a column, per output feature a target column (absent
 * when predicting), and for each row its index in the source table.
 */
public record Dataset(int[] sourceRows, List<InputColumn> inputs, List<TargetColumn> targets) {
  public int size() {
    return sourceRows.length;
  }

  public boolean hasTargets() {
    return !targets.isEmpty();
  }

  /** The native model's input tensors for rows (every input feature's, in feature order). */
  public List<Tensor> inputTensors(int[] rows) {
    List<Tensor> tensors = new ArrayList<>();
    try {
      for (InputColumn column : inputs) tensors.addAll(column.tensors(rows));
      return tensors;
    } catch (RuntimeException e) {
      tensors.forEach(Tensor::close);
      throw e;
    }
  }

  public List<Tensor> targetTensors(int[] rows) {
    List<Tensor> tensors = new ArrayList<>();
    for (TargetColumn column : targets) tensors.add(column.tensor(rows));
    return tensors;
  }

  /**
   * The first n rows (all when n >= size). Input columns are read by position, so they are shared;
   * targets are cut, since metrics read them whole.
   */
  public Dataset head(long n) {
    if (n >= size()) return this;
    int rows = (int) n;
    List<TargetColumn> cut = targets.stream().map(t -> (TargetColumn) switch (t) {
      case TargetColumn.ClassIds c -> new TargetColumn.ClassIds(java.util.Arrays.copyOf(c.ids(), rows));
      case TargetColumn.Values v -> new TargetColumn.Values(java.util.Arrays.copyOf(v.values(), rows));
    }).toList();
    return new Dataset(java.util.Arrays.copyOf(sourceRows, rows), inputs, cut);
  }

  /** The same rows with input column index replaced. */
  public Dataset withInput(int index, InputColumn column) {
    List<InputColumn> replaced = new ArrayList<>(inputs);
    replaced.set(index, column);
    return new Dataset(sourceRows, replaced, targets);
  }
}
