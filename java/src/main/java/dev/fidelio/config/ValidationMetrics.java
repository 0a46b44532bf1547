package dev.fidelio.config;

import java.util.List;

/** The metrics each output feature type reports, so {@code trainer.validation_metric} can be checked early. */
final class ValidationMetrics {
  /** The pseudo-feature that sums the losses of all output features. */
  static final String COMBINED = "combined";

  private ValidationMetrics() {}

  static List<String> of(OutputFeature feature) {
    return switch (feature) {
      case CategoryOutputFeature c -> List.of("loss", "accuracy", "accuracy_micro", "hits_at_k");
      case BinaryOutputFeature b -> List.of("loss", "accuracy", "precision", "recall", "specificity", "roc_auc");
      case NumberOutputFeature n ->
              List.of("loss", "mean_squared_error", "mean_absolute_error", "root_mean_squared_error", "r2");
    };
  }

  /** Ludwig's default_validation_metric of each output feature type (ludwig/schema/features/*_feature.py). */
  static String defaultOf(OutputFeature feature) {
    return switch (feature) {
      case CategoryOutputFeature c -> "accuracy";
      case BinaryOutputFeature b -> "roc_auc";
      case NumberOutputFeature n -> "mean_squared_error";
    };
  }

  static List<String> ofCombined() {
    return List.of("loss");
  }
}
