package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every reduce_output spelling that Ludwig 0.10's SequenceReducer accepts for text encoders
 * (ludwig/modules/reduction_modules.py) maps to its mode; attention cannot be cached, and an unknown
 * spelling is named with the valid ones.
 */
class ReduceOutputSpellingTest {

  private static String config(String reduce) {
    return "input_features: [{name: review, type: text, encoder: {type: bert, reduce_output: " + reduce + "}}]\n"
            + "output_features: [{name: label, type: category}]\n";
  }

  private static TextEncoder.ReduceOutput parsed(String reduce) {
    var text = (TextInputFeature) FidelioConfig.parse(config(reduce)).inputFeatures().getFirst();
    return text.encoder().reduceOutput();
  }

  @ParameterizedTest
  @CsvSource({"cls_pooled, CLS_POOLED", "sum, SUM", "mean, MEAN", "avg, MEAN", "max, MAX", "last, LAST",
      "concat, CONCAT", "attention, ATTENTION"})
  void ludwigSpellingsMapToTheirMode(String spelling, TextEncoder.ReduceOutput expected) {
    assertEquals(expected, parsed(spelling));
  }

  @Test
  void nullIsNoneWhichTheCombinerRefuses() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(config("null")));
    assertTrue(e.getMessage().contains("input_features[0].encoder.reduce_output")
            && e.getMessage().contains("'none' gives a sequence") && e.getMessage().contains("flatten_inputs: true"),
            e.getMessage());
  }

  @Test
  void noneFlattenedByTheCombinerIsConcat() {
    FidelioConfig flattened = FidelioConfig.parse(config("none") + "combiner: {type: concat, flatten_inputs: true}\n");
    var text = (TextInputFeature) flattened.inputFeatures().getFirst();
    assertEquals(TextEncoder.ReduceOutput.NONE, text.encoder().reduceOutput());
    assertEquals(TextEncoder.ReduceOutput.CONCAT, flattened.reduceOutputOf(text));
  }

  @Test
  void attentionCannotBeCachedBecauseItsReducerTrains() {
    String cached = "input_features: [{name: review, type: text, encoder: {type: bert, reduce_output: attention},"
            + " preprocessing: {cache_encoder_embeddings: true}}]\noutput_features: [{name: label, type: category}]\n";
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(cached));
    assertTrue(e.getMessage().contains("input_features[0].preprocessing.cache_encoder_embeddings")
            && e.getMessage().contains("reduce_output is attention"), e.getMessage());
  }

  @Test
  void unknownSpellingNamesTheValidOnes() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(config("median")));
    assertTrue(e.getMessage().contains("input_features[0].encoder.reduce_output") && e.getMessage().contains("'median'")
            && e.getMessage().contains("attention"), e.getMessage());
  }
}
