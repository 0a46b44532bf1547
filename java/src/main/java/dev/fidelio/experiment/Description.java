package dev.fidelio.experiment;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.store.PreprocessedData;
import dev.fidelio.train.TrainingLoop;
import dev.fidelio.train.TrainingPlan;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** description.json: what ran, on what, with which resolved settings, how long, and what it reached. */
final class Description {
  private Description() {}

  static Map<String, Object> of(FidelioConfig config, String configSource, Path dataset, Preparation.Result prepared,
                                TrainingPlan plan, TrainingLoop.Result result, List<String> notes,
                                double secondsToTraining) {
    PreprocessedData data = prepared.data();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("command", "train");
    d.put("config_file", configSource);
    d.put("dataset", dataset.toAbsolutePath().toString());
    d.put("rows", data.datasetRows());
    d.put("split", Map.of("training", data.splitRows()[0], "validation", data.splitRows()[1], "test",
        data.splitRows()[2]));
    d.put("training_plan", plan.describe());
    d.put("cached_encoder_embeddings", data.cachedEmbeddings());
    d.put("preprocessing", prepared.describe());
    d.put("seconds_to_training", secondsToTraining);
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("epochs_run", result.epochsRun());
    training.put("steps", result.steps());
    training.put("best_epoch", result.bestEpoch());
    training.put("best_validation_metric", result.bestMetric());
    training.put("stopped_early", result.stoppedEarly());
    training.put("training_seconds", result.seconds());
    d.put("training", training);
    d.put("notes", notes);
    d.put("runtime", NativeRuntime.info());
    d.put("java", System.getProperty("java.version"));
    d.put("config", config.toYamlNode());
    return d;
  }

  /** "label: accuracy 0.97, loss 0.08" for the log. */
  static String summary(FidelioConfig config, Map<String, Map<String, Object>> stats) {
    StringBuilder out = new StringBuilder();
    for (var output : config.outputFeatures()) {
      Map<String, Object> m = stats.get(output.name());
      if (out.length() > 0) out.append("; ");
      out.append(output.name()).append(":");
      for (String metric : List.of("accuracy", "roc_auc", "r2", "mean_absolute_error", "loss")) {
        if (m.get(metric) instanceof Number n) out.append(String.format(" %s %.4f", metric, n.doubleValue()));
      }
    }
    return out.toString();
  }
}
