package dev.fidelio.predict;

import dev.fidelio.features.NumberScale;
import java.util.List;

/** One output feature's predictions for every row of a split, with what the CSV and metrics need. */
public sealed interface OutputPredictions {
  String feature();

  /**
   * probabilities [rows][classes] over the vocabulary's classes; cumulative (Ludwig's corn): each is
   * P(class > k), never rising with k.
   */
  record Category(String feature, List<String> classes, float[][] probabilities, boolean cumulative)
      implements OutputPredictions {
    /** Ludwig's rule: argmax, or for corn the count of cumulative probabilities above 0.5 (at most the last class). */
    public int predicted(int row) {
      if (!cumulative) return argmax(probabilities[row]);
      int above = 0;
      while (above < probabilities[row].length - 1 && probabilities[row][above] > 0.5f) above++;
      return above;
    }

    /** Class indices by falling probability, at most k. */
    public int[] topK(int row, int k) {
      float[] p = probabilities[row];
      return java.util.stream.IntStream.range(0, p.length).boxed()
          .sorted((a, b) -> Float.compare(p[b], p[a])).limit(k).mapToInt(Integer::intValue).toArray();
    }
  }

  /** probability of true per row; a row is true at or above threshold. */
  record Binary(String feature, String falseLabel, String trueLabel, float[] probability, double threshold)
      implements OutputPredictions {
    public boolean predicted(int row) {
      return probability[row] >= threshold;
    }
  }

  /**
   * values in the user's units; scale maps them to the model's (normalized) scale, on which the
   * loss is measured.
   */
  record Number(String feature, float[] values, NumberScale scale) implements OutputPredictions {}

  static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    return best;
  }
}
