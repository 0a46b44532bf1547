package dev.fidelio.train;

import dev.fidelio.config.Combiner;
import dev.fidelio.config.ConfigError;
import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.FcStack;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.config.Optimizer;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.config.Trainer;
import java.util.ArrayList;
import java.util.List;

/**
 * The valid Ludwig settings this version of Fidelio does not implement yet. They fail before any
 * work, naming the config path, instead of being silently ignored.
 */
public final class SupportCheck {
  private SupportCheck() {}

  public static void requireSupported(FidelioConfig config) {
    List<ConfigError> errors = new ArrayList<>();
    for (int i = 0; i < config.inputFeatures().size(); i++) {
      InputFeature input = config.inputFeatures().get(i);
      String path = "input_features[" + i + "]";
      if (!(input instanceof TextInputFeature text)) continue;
      if (text.encoder().reduceOutput() == dev.fidelio.config.TextEncoder.ReduceOutput.NONE) {
        errors.add(new ConfigError(path + ".encoder.reduce_output", "'none' gives a sequence, which the concat"
            + " combiner cannot take; use cls_pooled, sum, mean or last"));
      }
    }
    for (int i = 0; i < config.outputFeatures().size(); i++) {
      OutputFeature output = config.outputFeatures().get(i);
      String path = "output_features[" + i + "]";
      checkFcLayers(output.decoder().fc(), path + ".decoder", errors);
    }
    if (config.combiner() instanceof Combiner.Concat concat) checkFcLayers(concat.fc(), "combiner", errors);
    Trainer t = config.trainer();
    boolean amsgrad = switch (t.optimizer()) {
      case Optimizer.AdamW a -> a.amsgrad();
      case Optimizer.Adam a -> a.amsgrad();
      case Optimizer.Sgd s -> false;
    };
    if (amsgrad) errors.add(notYet("trainer.optimizer.amsgrad", "true"));
    if (t.regularizationLambda() > 0) errors.add(notYet("trainer.regularization_lambda", "> 0"));
    if (t.enableGradientCheckpointing()) errors.add(notYet("trainer.enable_gradient_checkpointing", "true"));
    if (t.learningRateScheduler().t0() != null || t.learningRateScheduler().tMult() != 1) {
      errors.add(new ConfigError("trainer.learning_rate_scheduler.t_0", "cosine restarts are not supported: Fidelio's"
          + " cosine decay is one curve over the whole run down to eta_min; remove t_0 and t_mult"));
    }
    if (config.preprocessing().oversampleMinority() != null) errors.add(notYet("preprocessing.oversample_minority", "a value"));
    if (config.preprocessing().undersampleMajority() != null) errors.add(notYet("preprocessing.undersample_majority", "a value"));
    if (!errors.isEmpty()) throw new ConfigException(errors);
  }

  /** norm_params keys per norm (Ludwig passes them to the norm module) and use_bias, which is always on here. */
  private static void checkFcLayers(FcStack stack, String path, List<ConfigError> errors) {
    for (int i = 0; i < stack.layers().size(); i++) {
      FcLayer layer = stack.layers().get(i);
      String at = stack.fcLayers() != null ? path + ".fc_layers[" + i + "]" : path;
      if (layer.normParams() == null) continue;
      List<String> allowed = layer.norm() == null ? List.of() : switch (layer.norm()) {
        case BATCH -> List.of("momentum", "eps", "epsilon");
        case LAYER -> List.of("eps", "epsilon");
        case GHOST -> List.of("virtual_batch_size", "momentum", "eps", "epsilon");
      };
      for (var entry : layer.normParams().entrySet()) {
        String key = at + ".norm_params." + entry.getKey();
        if (!allowed.contains(entry.getKey())) {
          errors.add(new ConfigError(key, layer.norm() == null ? "norm_params needs a norm (batch, layer or ghost)"
              : "not a parameter of " + layer.norm().yamlName() + " norm; allowed: " + String.join(", ", allowed)));
        } else if (!(entry.getValue() instanceof Number n) || !validNormParam(entry.getKey(), n)) {
          errors.add(new ConfigError(key, "expected " + switch (entry.getKey()) {
            case "virtual_batch_size" -> "an integer >= 1";
            case "momentum" -> "a number in [0, 1]";
            default -> "a number > 0";
          } + ", found " + entry.getValue()));
        }
      }
    }
  }

  private static boolean validNormParam(String key, Number n) {
    double v = n.doubleValue();
    return switch (key) {
      case "virtual_batch_size" -> v >= 1 && v == Math.rint(v);
      case "momentum" -> v >= 0 && v <= 1;
      default -> v > 0 && Double.isFinite(v);
    };
  }

  private static ConfigError notYet(String path, String value) {
    return new ConfigError(path, value + " is a valid Ludwig setting that Fidelio does not support yet; remove it");
  }
}
