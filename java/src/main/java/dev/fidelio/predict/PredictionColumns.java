package dev.fidelio.predict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ludwig's prediction columns, one place for the predictions file, the Java API and the REST API.
 * Per output feature: {@code <name>_predictions}; category and binary add {@code <name>_probabilities}
 * (the list over classes; binary: [false, true]), {@code <name>_probability} (of the predicted class)
 * and one {@code <name>_probabilities_<class>} per class.
 */
public final class PredictionColumns {
  private PredictionColumns() {}

  /** Column names in order; withLists false leaves out the list-valued {@code _probabilities} (CSV). */
  public static List<String> names(List<OutputPredictions> outputs, boolean withLists) {
    List<String> names = new ArrayList<>();
    for (OutputPredictions o : outputs) {
      String f = o.feature();
      names.add(f + "_predictions");
      List<String> classes = switch (o) {
        case OutputPredictions.Category c -> c.classes();
        case OutputPredictions.Binary b -> List.of(b.falseLabel(), b.trueLabel());
        case OutputPredictions.Number n -> List.of();
      };
      if (classes.isEmpty()) continue;
      if (withLists) names.add(f + "_probabilities");
      names.add(f + "_probability");
      for (String cls : classes) names.add(f + "_probabilities_" + cls);
    }
    return names;
  }

  /** The values of row, in the order of {@link #names}: String labels, Float numbers, List<Float> lists. */
  public static List<Object> values(List<OutputPredictions> outputs, int row, boolean withLists) {
    List<Object> values = new ArrayList<>();
    for (OutputPredictions o : outputs) {
      switch (o) {
        case OutputPredictions.Category c -> {
          int p = c.predicted(row);
          float[] probabilities = c.probabilities()[row];
          addClassColumns(values, c.classes().get(p), probabilities[p], probabilities, withLists);
        }
        case OutputPredictions.Binary b -> {
          float p = b.probability()[row];
          boolean positive = b.predicted(row);
          addClassColumns(values, positive ? b.trueLabel() : b.falseLabel(), positive ? p : 1 - p,
              new float[] {1 - p, p}, withLists);
        }
        case OutputPredictions.Number n -> values.add(n.values()[row]);
      }
    }
    return values;
  }

  /** Row as a column-name map (the REST API's /predict answer). */
  public static Map<String, Object> row(List<OutputPredictions> outputs, int row) {
    List<String> names = names(outputs, true);
    List<Object> values = values(outputs, row, true);
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) map.put(names.get(i), values.get(i));
    return map;
  }

  private static void addClassColumns(List<Object> values, String predicted, float probability, float[] probabilities,
                                      boolean withLists) {
    values.add(predicted);
    List<Float> list = new ArrayList<>(probabilities.length);
    for (float p : probabilities) list.add(p);
    if (withLists) values.add(list);
    values.add(probability);
    values.addAll(list);
  }
}
