package dev.fidelio.config;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
  * The valid Ludwig settings this version of Fidelio does not implement yet, and the checks that need
  * the whole config read first. Part of {@link FidelioConfig#parse}, so {@code render_config} refuses
  * exactly what {@code train} refuses, naming the config path, instead of anything being ignored.
  */
final class Unsupported {
  private Unsupported() {}

  static void check(FidelioConfig config, List<ConfigError> errors) {
    for (int i = 0; i < config.inputFeatures().size(); i++) {
      checkInput(config.inputFeatures().get(i), "input_features[" + i + "]", errors);
    }
    for (int i = 0; i < config.outputFeatures().size(); i++) {
      checkOutput(config.outputFeatures().get(i), "output_features[" + i + "]", errors);
    }
    if (config.combiner() instanceof Combiner.Concat concat) {
      // Only a text input with reduce_output none gives a sequence; every other encoder one vector per row.
      boolean sequences = config.inputFeatures().stream()
              .anyMatch(f -> f instanceof TextInputFeature t && t.encoder().reduceOutput() == TextEncoder.ReduceOutput.NONE);
      for (int i = 0; i < config.inputFeatures().size(); i++) {
        if (config.inputFeatures().get(i) instanceof TextInputFeature t
            && t.encoder().reduceOutput() == TextEncoder.ReduceOutput.NONE && !concat.flattenInputs()) {
          errors.add(new ConfigError("input_features[" + i + "].encoder.reduce_output", "'none' gives a sequence,"
                  + " which the concat combiner takes only with combiner.flatten_inputs: true (as in Ludwig); or use"
                  + " cls_pooled, sum, mean, max, last, concat or attention"));
        }
      }
      if (concat.flattenInputs() && !sequences) {
        errors.add(new ConfigError("combiner.flatten_inputs", "true would change nothing: no input gives a sequence"
                + " (only a text encoder with reduce_output none does); remove it or set false"));
      }
    }
    checkTrainer(config.trainer(), errors);
    checkBalancing(config, errors);
  }

  /** Ludwig's check_class_balance_preprocessing: balancing needs exactly one output, a binary one. */
  private static void checkBalancing(FidelioConfig config, List<ConfigError> errors) {
    Preprocessing p = config.preprocessing();
    String key = Preprocessing.balances(p.oversampleMinority()) ? "oversample_minority"
            : Preprocessing.balances(p.undersampleMajority()) ? "undersample_majority" : null;
    if (key == null) return;
    if (config.outputFeatures().size() != 1 || !(config.outputFeatures().getFirst() instanceof BinaryOutputFeature)) {
      var found = config.outputFeatures().stream().map(o -> o.name() + " (" + switch (o) {
        case BinaryOutputFeature b -> "binary";
        case CategoryOutputFeature c -> "category";
        case NumberOutputFeature n -> "number";
      } + ")").toList();
      errors.add(new ConfigError("preprocessing." + key, "class balancing needs exactly one output feature, of type"
              + " binary (as in Ludwig); found " + String.join(", ", found)));
    }
  }

  private static void checkInput(InputFeature input, String path, List<ConfigError> errors) {
    switch (input) {
      case TextInputFeature text -> {
        MissingValueStrategy strategy = text.preprocessing().missingValueStrategy();
        if (strategy != MissingValueStrategy.FILL_WITH_CONST && strategy != MissingValueStrategy.DROP_ROW) {
          errors.add(notYet(path + ".preprocessing.missing_value_strategy", "'" + strategy.yamlName() + "'",
                  "fill_with_const or drop_row"));
        }
      }
      case NumberInputFeature number -> { }
      case BinaryInputFeature binary -> { }
      case CategoryInputFeature category -> { }
      case ImageInputFeature image -> { }
    }
  }

  private static void checkOutput(OutputFeature output, String path, List<ConfigError> errors) {
    // Ludwig 0.10's softmax cross-entropy reads neither key (loss_modules.py); Fidelio refuses instead of ignoring.
    if (output.loss() instanceof Loss.SoftmaxCrossEntropy l) {
      if (l.robustLambda() != 0) {
        errors.add(new ConfigError(path + ".loss.robust_lambda", l.robustLambda() + " would change nothing: "
                + "Ludwig's category loss ignores robust_lambda; remove it or set 0"));
      }
      if (l.confidencePenalty() != 0) {
        errors.add(new ConfigError(path + ".loss.confidence_penalty", l.confidencePenalty() + " would change "
                + "nothing: Ludwig's category loss ignores confidence_penalty; remove it or set 0"));
      }
    }
    // Ludwig calibrates corn through softmax temperature scaling, then multiplies those as if they were the
    // conditional sigmoids; Fidelio's calibration fits softmax or sigmoid outputs only.
    if (output instanceof CategoryOutputFeature c && c.calibration() && c.loss() instanceof Loss.Corn) {
      errors.add(notYet(path + ".calibration", "true with loss corn", "false"));
    }
    checkTargetPreprocessing(output, path + ".preprocessing", errors);
  }

  /** Targets are read as they are: a row without a usable target is dropped, as Ludwig's default drop_row does. */
  private static void checkTargetPreprocessing(OutputFeature output, String path, List<ConfigError> errors) {
    MissingValueStrategy strategy = switch (output) {
      case CategoryOutputFeature c -> c.preprocessing().missingValueStrategy();
      case BinaryOutputFeature b -> b.preprocessing().missingValueStrategy();
      case NumberOutputFeature n -> n.preprocessing().missingValueStrategy();
    };
    if (strategy != MissingValueStrategy.DROP_ROW) {
      errors.add(notYet(path + ".missing_value_strategy", "'" + strategy.yamlName() + "' for an output feature",
              "drop_row"));
    }
    if (output instanceof CategoryOutputFeature c && c.preprocessing().lowercase()) {
      errors.add(notYet(path + ".lowercase", "true for an output feature", "false"));
    }
    if (output instanceof NumberOutputFeature n && n.preprocessing().outlierStrategy() != null) {
      errors.add(notYet(path + ".outlier_strategy", "'" + n.preprocessing().outlierStrategy().yamlName()
              + "' for an output feature", "null"));
    }
  }

  private static void checkTrainer(Trainer t, List<ConfigError> errors) {
    boolean amsgrad = switch (t.optimizer()) {
      case Optimizer.AdamW a -> a.amsgrad();
      case Optimizer.Adam a -> a.amsgrad();
      case Optimizer.Sgd s -> false;
    };
    if (amsgrad) errors.add(notYet("trainer.optimizer.amsgrad", "true"));
    Regularization.check(t, errors);
    // Native training matches this with ECMAScript std::regex, which reads the usual patterns as Java does.
    if (t.layersToFreezeRegex() != null) {
      try {
        Pattern.compile(t.layersToFreezeRegex());
      } catch (PatternSyntaxException e) {
        errors.add(new ConfigError("trainer.layers_to_freeze_regex", "'" + t.layersToFreezeRegex()
                + "' is not a valid regular expression: " + e.getDescription()));
      }
    }
    if (t.learningRateScheduler().t0() != null || t.learningRateScheduler().tMult() != 1) {
      errors.add(new ConfigError("trainer.learning_rate_scheduler.t_0", "cosine restarts are not supported: Fidelio's"
              + " cosine decay is one curve over the whole run down to eta_min; remove t_0 and t_mult"));
    }
  }

  static ConfigError notYet(String path, String value) {
    return new ConfigError(path, value + " is a valid Ludwig setting that Fidelio does not support yet; remove it");
  }

  static ConfigError notYet(String path, String value, String allowed) {
    return new ConfigError(path, value + " is a valid Ludwig setting that Fidelio does not support yet; use "
            + allowed + " or remove the key");
  }
}
