package dev.fidelio.experiment;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.TargetColumn;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.Tensor;
import java.util.List;

/**
 * Fidelio's one departure from Ludwig's initialisation: a number output's bias starts at the
 * training target's mean (on the model's scale), not 0. At Ludwig's defaults a target is not
 * normalised, so a head starting at 0 spends many epochs at learning rate 0.001 walking to, say, 23
 * mpg before it learns anything else; a tabular regression was still improving at epoch 100 and
 * stayed below a least-squares fit. Starting at the mean changes where training starts, not what
 * the config means.
 */
final class OutputInitialization {
  private OutputInitialization() {}

  static void startNumberOutputsAtTheTargetMean(EcdModel model, FidelioConfig config, Dataset training) {
    List<String> names = model.stateNames();
    for (int i = 0; i < config.outputFeatures().size(); i++) {
      if (!(config.outputFeatures().get(i) instanceof NumberOutputFeature number)) continue;
      if (!(training.targets().get(i) instanceof TargetColumn.Values values) || values.values().length == 0) continue;
      double sum = 0;
      for (float v : values.values()) sum += v;
      float mean = (float) (sum / values.values().length);
      int bias = names.indexOf("output_features." + number.name() + ".dense.bias");
      if (bias < 0) throw new IllegalStateException("no bias for number output '" + number.name() + "' in " + names);
      try (Tensor start = Tensor.of(new float[] {mean}, 1)) {
        model.setState(bias, start);
      }
      Log.info("output '" + number.name() + "': bias starts at the training target's mean " + mean);
    }
  }
}
