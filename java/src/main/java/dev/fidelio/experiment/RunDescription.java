package dev.fidelio.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.metrics.SplitMetrics;
import dev.fidelio.train.TrainingLoop;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * description.json: what ran, on what, with which resolved settings, how long, and what it reached.
 * The maps are what their owners describe of themselves (the plan, the store entry, the workers, the
 * batch-size probe, memory, compilation); {@link #toJson} fixes the file's names and order.
 *
 * @param splitRows rows per split (training, validation, test) before rows with missing values were dropped
 * @param distributed the data-parallel setup; empty when one process trained
 * @param batchSizeProbe the probe tables; null when no batch size was auto
 * @param compile trainer.compile's report; null without it
 * @param testSummary the test split's headline metrics; null without a test evaluation
 */
record RunDescription(String configFile, String dataset, int rows, List<Integer> splitRows,
                      Map<String, Object> trainingPlan, List<String> cachedEncoderEmbeddings,
                      Map<String, Object> preprocessing, double secondsToTraining, TrainingLoop.Result training,
                      List<String> notes, Map<String, String> runtime, String java, JsonNode config,
                      Map<String, Object> distributed, Map<String, Object> batchSizeProbe, Map<String, Object> memory,
                      String device, Map<String, Object> compile, String testSummary, long encoderForwardRows,
                      double totalSeconds) {
  Map<String, Object> toJson() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("command", "train");
    d.put("config_file", configFile);
    d.put("dataset", dataset);
    d.put("rows", rows);
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("training", splitRows.get(0));
    split.put("validation", splitRows.get(1));
    split.put("test", splitRows.get(2));
    d.put("split", split);
    d.put("training_plan", trainingPlan);
    d.put("cached_encoder_embeddings", cachedEncoderEmbeddings);
    d.put("preprocessing", preprocessing);
    d.put("seconds_to_training", secondsToTraining);
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("epochs_run", training.epochsRun());
    t.put("steps", training.steps());
    t.put("best_epoch", training.bestEpoch());
    t.put("best_validation_metric", training.bestMetric());
    t.put("stopped_early", training.stoppedEarly());
    t.put("training_seconds", training.seconds());
    d.put("training", t);
    d.put("notes", notes);
    d.put("runtime", runtime);
    d.put("java", java);
    d.put("config", config);
    if (!distributed.isEmpty()) d.put("distributed", distributed);
    if (batchSizeProbe != null) d.put("batch_size_probe", batchSizeProbe);
    d.put("memory", memory);
    d.put("device", device);
    if (compile != null) d.put("compile", compile);
    if (testSummary != null) d.put("test_summary", testSummary);
    d.put("encoder_forward_rows", encoderForwardRows);
    d.put("total_seconds", totalSeconds);
    return d;
  }

  /** "label: accuracy 0.97, loss 0.08" for the log. */
  static String summary(FidelioConfig config, SplitMetrics stats) {
    StringBuilder out = new StringBuilder();
    for (var output : config.outputFeatures()) {
      Map<String, Double> m = stats.outputs().get(output.name()).scalars();
      if (out.length() > 0) out.append("; ");
      out.append(output.name()).append(":");
      for (String metric : List.of("accuracy", "roc_auc", "r2", "mean_absolute_error", "loss")) {
        if (m.get(metric) != null) out.append(String.format(" %s %.4f", metric, m.get(metric)));
      }
    }
    return out.toString();
  }
}
