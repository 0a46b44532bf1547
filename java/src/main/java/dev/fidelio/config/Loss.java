package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The training loss of an output feature; which types are allowed depends on the feature type. */
public sealed interface Loss extends Yaml.Rendered {
  /** Multiplies this feature's loss in the sum over output features. */
  double weight();

  /** Category outputs; {@code robustLambda} mixes in a uniform prior, {@code confidencePenalty} punishes certainty. */
  record SoftmaxCrossEntropy(ClassWeights classWeights, double weight, double robustLambda,
                             double confidencePenalty) implements Loss {}

  /** Binary outputs; a null {@code positiveClassWeight} weighs both classes equally. */
  record BinaryWeightedCrossEntropy(Double positiveClassWeight, double weight, double robustLambda,
                                    double confidencePenalty) implements Loss {}

  /**
   * Ordinal category outputs (Ludwig's CORN): class k's logit learns "above class k" among the rows at
   * or above it; predictions count the cumulative probabilities above 0.5. Ludwig's has no other key.
   */
  record Corn(double weight) implements Loss {}

  record MeanSquaredError(double weight) implements Loss {}

  record MeanAbsoluteError(double weight) implements Loss {}

  record RootMeanSquaredError(double weight) implements Loss {}

  /** torchmetrics' MAPE: |target| below 1.17e-6 counts as 1.17e-6. */
  record MeanAbsolutePercentageError(double weight) implements Loss {}

  /** Ludwig's rmspe_loss: a zero target divides by 1e-4. */
  record RootMeanSquaredPercentageError(double weight) implements Loss {}

  /** PyTorch's HuberLoss: squared below {@code delta}, linear (slope delta) above. */
  record Huber(double delta, double weight) implements Loss {}

  static Loss readCategory(ConfigNode node) {
    // Ludwig 0.10 registers these two for category outputs (schema/features/loss/loss.py); there is no
    // sampled_softmax_cross_entropy or focal to refuse as not yet supported.
    String type = node.type("softmax_cross_entropy", List.of("softmax_cross_entropy", "corn"), List.of());
    if ("corn".equals(type)) return finish(node, type, new Corn(weight(node)));
    var loss = new SoftmaxCrossEntropy(ClassWeights.read(node, "class_weights"), weight(node),
            node.decimal("robust_lambda", 0.0, 0.0, 1.0), node.decimal("confidence_penalty", 0.0, 0.0, Double.MAX_VALUE));
    return finish(node, type, loss);
  }

  static Loss readBinary(ConfigNode node) {
    String type = node.type("binary_weighted_cross_entropy", List.of("binary_weighted_cross_entropy"), List.of());
    var loss = new BinaryWeightedCrossEntropy(
            node.optionalDecimal("positive_class_weight", null, 0.0, Double.MAX_VALUE), weight(node),
            node.decimal("robust_lambda", 0.0, 0.0, 1.0), node.decimal("confidence_penalty", 0.0, 0.0, Double.MAX_VALUE));
    return finish(node, type, loss);
  }

  static Loss readNumber(ConfigNode node) {
    String type = node.type("mean_squared_error",
            List.of("mean_squared_error", "mean_absolute_error", "root_mean_squared_error",
                    "mean_absolute_percentage_error", "root_mean_squared_percentage_error", "huber"),
            List.of());
    double weight = weight(node);
    Loss loss = type == null ? null : switch (type) {
      case "mean_squared_error" -> new MeanSquaredError(weight);
      case "mean_absolute_error" -> new MeanAbsoluteError(weight);
      case "root_mean_squared_error" -> new RootMeanSquaredError(weight);
      case "mean_absolute_percentage_error" -> new MeanAbsolutePercentageError(weight);
      case "root_mean_squared_percentage_error" -> new RootMeanSquaredPercentageError(weight);
      // Ludwig's HuberLossConfig: delta > 0, default 1.0
      case "huber" -> new Huber(node.decimal("delta", 1.0, Double.MIN_VALUE, Double.MAX_VALUE), weight);
      default -> throw new IllegalStateException("type() returned an unlisted type " + type);
    };
    return finish(node, type, loss);
  }

  private static double weight(ConfigNode node) {
    return node.decimal("weight", 1.0, 0.0, Double.MAX_VALUE);
  }

  private static Loss finish(ConfigNode node, String type, Loss loss) {
    if (type == null) return null;
    node.rejectUnknownKeys();
    return loss;
  }

  @Override
  default JsonNode toYamlNode() {
    return switch (this) {
      case SoftmaxCrossEntropy l -> Yaml.map("type", "softmax_cross_entropy",
              "class_weights", ClassWeights.yamlValue(l.classWeights), "weight", l.weight,
              "robust_lambda", l.robustLambda, "confidence_penalty", l.confidencePenalty);
      case BinaryWeightedCrossEntropy l -> Yaml.map("type", "binary_weighted_cross_entropy",
              "positive_class_weight", l.positiveClassWeight, "weight", l.weight,
              "robust_lambda", l.robustLambda, "confidence_penalty", l.confidencePenalty);
      case Corn l -> Yaml.map("type", "corn", "weight", l.weight);
      case MeanSquaredError l -> Yaml.map("type", "mean_squared_error", "weight", l.weight);
      case MeanAbsoluteError l -> Yaml.map("type", "mean_absolute_error", "weight", l.weight);
      case RootMeanSquaredError l -> Yaml.map("type", "root_mean_squared_error", "weight", l.weight);
      case MeanAbsolutePercentageError l -> Yaml.map("type", "mean_absolute_percentage_error", "weight", l.weight);
      case RootMeanSquaredPercentageError l ->
          Yaml.map("type", "root_mean_squared_percentage_error", "weight", l.weight);
      case Huber l -> Yaml.map("type", "huber", "delta", l.delta, "weight", l.weight);
    };
  }
}
