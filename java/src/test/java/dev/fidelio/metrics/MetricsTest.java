package dev.fidelio.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void confusionMatrixStatisticsMatchHandComputation() {
    var m = new ConfusionMatrix(List.of("ham", "spam"));
    // truth ham: 8 right, 2 called spam; truth spam: 1 called ham, 9 right
    for (int i = 0; i < 8; i++) m.add(0, 0);
    for (int i = 0; i < 2; i++) m.add(0, 1);
    m.add(1, 0);
    for (int i = 0; i < 9; i++) m.add(1, 1);
    assertEquals(17 / 20.0, m.accuracy(), 1e-12);
    var spam = m.perClassStatistics().get("spam");
    assertEquals(9 / 11.0, spam.get("precision"), 1e-12);
    assertEquals(9 / 10.0, spam.get("recall"), 1e-12);
    assertEquals(2 * (9 / 11.0) * 0.9 / (9 / 11.0 + 0.9), spam.get("f1_score"), 1e-12);
    assertEquals(List.of(List.of(8L, 2L), List.of(1L, 9L)), m.rows());
  }

  @Test
  void absentClassHasZeroNotNaN() {
    var m = new ConfusionMatrix(List.of("a", "b", "c"));
    m.add(0, 0);
    m.add(1, 0);
    var c = m.perClassStatistics().get("c");
    assertEquals(0.0, c.get("precision"));
    assertEquals(0.0, c.get("f1_score"));
  }

  @Test
  void rocAucMatchesPairCounting() {
    double[] scores = {0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.05};
    boolean[] labels = {false, false, true, true, true, true, false};
    // brute force over all (positive, negative) pairs
    double wins = 0;
    int pairs = 0;
    for (int i = 0; i < scores.length; i++) {
      for (int j = 0; j < scores.length; j++) {
        if (labels[i] && !labels[j]) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
        }
      }
    }
    assertEquals(wins / pairs, RocAuc.compute(scores, labels), 1e-12);
    assertTrue(Double.isNaN(RocAuc.compute(new double[] {0.2, 0.3}, new boolean[] {true, true})));
  }
}
