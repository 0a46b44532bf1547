package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.BertConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * trainer.layers_to_freeze_regex, as Ludwig's freeze_layers_regex: every parameter whose state name
 * the regex matches anywhere (re.search) gets no gradient and no update. The names the regex sees
 * are the model's state names, e.g. "input_features.t.bert.encoder.layer.0.attention.self.query.weight".
 */
class FreezeLayersTest {
  private static final BertConfig TINY = new BertConfig("bert", 100, 16, 2, 2, 32, "gelu", 32, 2, 1e-12, 0.1, 0.1, 0);
  private static final String REGEX = "embeddings|encoder\\.layer\\.0\\.";

  private static EcdModel model() {
    EcdModel.Builder spec = EcdModel.builder(3);
    spec.input(EcdModel.InputSpec.text("t", TextEncoderModel.create(TINY.toTransformerConfig(), 3), ReduceOutput.CLS_POOLED, true));
    spec.output(EcdModel.OutputSpec.category("y", 3, new float[0], 1.0));
    return spec.build(List.of(), false);
  }

  private static List<float[]> states(EcdModel model) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < model.stateCount(); i++) {
      try (Tensor t = model.state(i)) {
        out.add(t.toFloatArray());
      }
    }
    return out;
  }

  private static void train(EcdModel model, int steps) {
    Random random = new Random(9);
    for (int step = 0; step < steps; step++) {
      long[] ids = new long[4 * 8], mask = new long[4 * 8], y = new long[4];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = 1 + random.nextInt(99);
        mask[i] = 1;
      }
      for (int i = 0; i < y.length; i++) y[i] = random.nextInt(3);
      try (Tensor idsT = Tensor.of(ids, 4, 8); Tensor maskT = Tensor.of(mask, 4, 8); Tensor yT = Tensor.of(y, 4)) {
        model.trainStep(List.of(idsT, maskT), List.of(yT), 0.01);
      }
    }
  }

  @Test
  void matchedParametersStayBitForBitWhileTheOthersTrain() {
    try (EcdModel model = model()) {
      model.configure(EcdModel.TrainSpec.DEFAULT.withLayersToFreezeRegex(REGEX));
      List<float[]> before = states(model);
      train(model, 3);
      List<float[]> after = states(model);
      Pattern pattern = Pattern.compile(REGEX);
      List<String> frozen = new ArrayList<>();
      for (int i = 0; i < before.size(); i++) {
        String name = model.stateName(i);
        if (pattern.matcher(name).find()) {
          frozen.add(name);
          assertArrayEquals(before.get(i), after.get(i), 0f, name + " is frozen but changed");
        } else {
          assertFalse(Arrays.equals(before.get(i), after.get(i)), name + " trains but did not change");
        }
      }
      // Three embedding tables and their LayerNorm, and layer 0's 16 tensors; layer 1 trains.
      assertEquals(5 + 16, frozen.size(), frozen.toString());
      assertTrue(frozen.contains("input_features.t.bert.encoder.layer.0.attention.self.query.weight"), frozen.toString());
    }
  }

  @Test
  void aRegexMatchingNothingFailsNamingTheKeyAndANameItCouldMatch() {
    try (EcdModel model = model()) {
      var e = assertThrows(FidelioException.class,
          () -> model.configure(EcdModel.TrainSpec.DEFAULT.withLayersToFreezeRegex("decoder\\.layer")));
      assertTrue(e.getMessage().contains("trainer.layers_to_freeze_regex 'decoder\\.layer' matches no parameter")
          && e.getMessage().contains("input_features.t.bert."), e.getMessage());
    }
  }

  @Test
  void anInvalidRegexIsAConfigErrorAtItsPath() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse("""
        input_features: [{name: x, type: number}]
        output_features: [{name: y, type: number}]
        trainer: {layers_to_freeze_regex: 'encoder.layer.(0'}
        """));
    assertTrue(e.errors().stream().anyMatch(err -> err.path().equals("trainer.layers_to_freeze_regex")),
        e.getMessage());
  }
}
