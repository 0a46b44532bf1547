package dev.fidelio.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelFittingTest {
  @Test
  void categoryVocabularyIsByFrequencyThenFirstSeen() {
    var vocab = CategoryVocabulary.fit(Arrays.asList("b", "a", "c", "a", null, "c", "d"), null);
    assertEquals(List.of("a", "c", "b", "d"), vocab.idx2str());
    assertEquals(1, vocab.index("c"));
    assertEquals(-1, vocab.index("unseen"));
    assertEquals(List.of("a", "c"), CategoryVocabulary.fit(List.of("b", "a", "c", "a", "c"), 2).idx2str());
  }

  @Test
  void binaryUnderstandsBooleanSpellings() {
    var labels = BinaryLabels.fit(List.of("yes", "no", "Yes"), null, "f");
    assertTrue(labels.parse("YES"));
    assertEquals(false, labels.parse(" n "));
    assertNull(labels.parse("maybe"));
  }

  @Test
  void binaryWithTwoOtherValuesUsesFallbackOrSecond() {
    var labels = BinaryLabels.fit(List.of("spam", "ham", "spam"), "spam", "label");
    assertEquals("spam", labels.trueLabel());
    assertEquals("ham", labels.falseLabel());
    assertEquals("spam", BinaryLabels.fit(List.of("ham", "spam"), null, "label").trueLabel());
    var e = assertThrows(FeatureException.class, () -> BinaryLabels.fit(List.of("a", "b", "c"), null, "label"));
    assertTrue(e.getMessage().contains("use type: category"), e.getMessage());
  }
}
