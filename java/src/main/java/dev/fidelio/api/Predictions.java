package dev.fidelio.api;

import dev.fidelio.predict.OutputPredictions;
import dev.fidelio.predict.PredictionColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Predictions for a list of rows: per output feature its {@link OutputPredictions} (class
 * probabilities, binary probability, number values), and Ludwig's columns per row.
 */
public record Predictions(List<OutputPredictions> outputs, int size) {
  /** Ludwig's column names: {@code <output>_predictions}, {@code _probabilities}, {@code _probability}, ... */
  public List<String> columns() {
    return PredictionColumns.names(outputs, true);
  }

  /** Row as {column: value}; labels are Strings, probabilities and numbers Floats, lists {@code List<Float>}. */
  public Map<String, Object> row(int index) {
    java.util.Objects.checkIndex(index, size);
    return PredictionColumns.row(outputs, index);
  }

  /** Every row, as {@link #row} gives each. */
  public List<Map<String, Object>> rows() {
    List<Map<String, Object>> rows = new ArrayList<>(size);
    for (int r = 0; r < size; r++) rows.add(row(r));
    return rows;
  }

  /** The output feature's predictions (by feature name). */
  public OutputPredictions output(String feature) {
    return outputs.stream().filter(o -> o.feature().equals(feature)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("no output feature '" + feature + "'; the model's outputs: "
            + outputs.stream().map(OutputPredictions::feature).toList()));
  }
}
