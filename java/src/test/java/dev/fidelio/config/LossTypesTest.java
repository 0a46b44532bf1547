package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Loss types Ludwig 0.10 does not register for a feature type (schema/features/loss/loss.py:
 * sampled_softmax_cross_entropy and focal are not among them) are errors that name the path, the
 * value and the types allowed there.
 */
class LossTypesTest {

  private static String error(String output) {
    return assertThrows(ConfigException.class, () -> FidelioConfig.parse(
        "input_features: [{name: x, type: number}]\noutput_features: [" + output + "]")).getMessage();
  }

  @Test
  void typesLudwigDoesNotRegisterNameThePathTheValueAndTheChoices() {
    String sampled = error("{name: y, type: category, loss: {type: sampled_softmax_cross_entropy}}");
    assertTrue(sampled.contains("output_features[0].loss.type") && sampled.contains("sampled_softmax_cross_entropy")
        && sampled.contains("softmax_cross_entropy") && sampled.contains("corn"), sampled);
    String focal = error("{name: y, type: binary, loss: {type: focal}}");
    assertTrue(focal.contains("output_features[0].loss.type") && focal.contains("focal")
        && focal.contains("binary_weighted_cross_entropy"), focal);
    String delta = error("{name: y, type: number, loss: {type: huber, delta: 0}}");
    assertTrue(delta.contains("output_features[0].loss.delta") && delta.contains("> 0"), delta);
  }
}
