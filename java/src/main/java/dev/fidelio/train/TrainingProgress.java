package dev.fidelio.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run stands, as a checkpoint stores it: optimizer steps done, the best metric so far and
 * when it was reached, the early-stop and plateau counters, the statistics, and the training loss
 * summed since the last evaluation (intervalLoss over intervalRows rows: 0 at an evaluation, not 0
 * when a cancelled run checkpoints between evaluations). With the weights, optimizer state and
 * generator state, this resumes a run exactly.
 */
record TrainingProgress(long step, int bestEpoch, double best, int sinceImprovement, boolean stopped,
                        PlateauReduction.State plateau, Map<String, Object> statistics, double intervalLoss,
                        int intervalRows) {

  static TrainingProgress initial() {
    return new TrainingProgress(0, 0, Double.NaN, 0, false, PlateauReduction.off().state(), Map.of(), 0, 0);
  }

  /** Doubles as text: NaN and every bit of the value survive the JSON round trip. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("step", step);
    json.put("best_epoch", bestEpoch);
    json.put("best", Double.toString(best));
    json.put("since_improvement", sinceImprovement);
    json.put("stopped", stopped);
    json.put("plateau_best", Double.toString(plateau.best()));
    json.put("plateau_bad_evaluations", plateau.badEvaluations());
    json.put("plateau_reductions", plateau.reductions());
    json.put("statistics", statistics);
    json.put("interval_loss", Double.toString(intervalLoss));
    json.put("interval_rows", intervalRows);
    return json;
  }

  @SuppressWarnings("unchecked")
  static TrainingProgress fromJson(Map<String, Object> json) {
    return new TrainingProgress(((Number) json.get("step")).longValue(), ((Number) json.get("best_epoch")).intValue(),
        Double.parseDouble((String) json.get("best")), ((Number) json.get("since_improvement")).intValue(),
        (Boolean) json.get("stopped"),
        new PlateauReduction.State(Double.parseDouble((String) json.get("plateau_best")),
            ((Number) json.get("plateau_bad_evaluations")).intValue(),
            ((Number) json.get("plateau_reductions")).intValue()),
        (Map<String, Object>) json.get("statistics"),
        // Checkpoints written before the interval was recorded were all taken at evaluations: 0 then.
        Double.parseDouble((String) json.getOrDefault("interval_loss", "0")),
        ((Number) json.getOrDefault("interval_rows", 0)).intValue());
  }
}
