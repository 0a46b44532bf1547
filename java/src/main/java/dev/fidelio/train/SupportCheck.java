package dev.fidelio.train;

import dev.fidelio.config.Combiner;
import dev.fidelio.config.ConfigError;
import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.Loss;
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
      if (!(input instanceof TextInputFeature text)) {
        errors.add(new ConfigError(path + ".type", "this input type is not supported yet; text is"));
        continue;
      }
      if (text.encoder().reduceOutput() == dev.fidelio.config.TextEncoder.ReduceOutput.NONE) {
        errors.add(new ConfigError(path + ".encoder.reduce_output", "'none' gives a sequence, which the concat"
            + " combiner cannot take; use cls_pooled, sum, mean or last"));
      }
    }
    for (int i = 0; i < config.outputFeatures().size(); i++) {
      OutputFeature output = config.outputFeatures().get(i);
      String path = "output_features[" + i + "]";
      if (!output.decoder().fc().layers().isEmpty()) {
        errors.add(new ConfigError(path + ".decoder", "decoder fc layers are not supported yet; put the layers in"
            + " the combiner (combiner.fc_layers / num_fc_layers)"));
      }
      if (output.loss() instanceof Loss.RootMeanSquaredError) {
        errors.add(new ConfigError(path + ".loss.type", "root_mean_squared_error is not supported yet; use"
            + " mean_squared_error or mean_absolute_error"));
      }
    }
    if (config.combiner() instanceof Combiner.Concat concat && concat.residual()) {
      errors.add(new ConfigError("combiner.residual", "residual connections are not supported yet"));
    }
    Trainer t = config.trainer();
    boolean amsgrad = switch (t.optimizer()) {
      case Optimizer.AdamW a -> a.amsgrad();
      case Optimizer.Adam a -> a.amsgrad();
      case Optimizer.Sgd s -> false;
    };
    if (amsgrad) errors.add(notYet("trainer.optimizer.amsgrad", "true"));
    if (t.compile()) errors.add(notYet("trainer.compile", "true"));
    if (t.evaluateTrainingSet()) errors.add(notYet("trainer.evaluate_training_set", "true"));
    if (t.skipAllEvaluation()) errors.add(notYet("trainer.skip_all_evaluation", "true"));
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

  private static ConfigError notYet(String path, String value) {
    return new ConfigError(path, value + " is a valid Ludwig setting that Fidelio does not support yet; remove it");
  }
}
