package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Warmup, decay and reduce-on-plateau of the learning rate, with Ludwig's keys and defaults.
 *
 * @param warmupFraction fraction of all training steps spent warming up linearly from 0
 * @param decay null keeps the rate constant after warmup
 * @param t0 steps of the first cosine cycle; null means one cycle over all of training
 */
public record LearningRateScheduler(int warmupEvaluations, double warmupFraction, Decay decay, int decaySteps,
                                    double decayRate, boolean staircase, int reduceOnPlateau,
                                    int reduceOnPlateauPatience, double reduceOnPlateauRate, String reduceEvalMetric,
                                    String reduceEvalSplit, Integer t0, int tMult, double etaMin)
        implements Yaml.Rendered {

  public enum Decay implements ConfigEnum { LINEAR, COSINE, EXPONENTIAL }

  static LearningRateScheduler read(ConfigNode node) {
    var scheduler = new LearningRateScheduler(
            node.integer("warmup_evaluations", 0, 0, Integer.MAX_VALUE),
            node.decimal("warmup_fraction", 0.0, 0.0, 1.0),
            node.choice("decay", Decay.class, null),
            node.integer("decay_steps", 10000, 1, Integer.MAX_VALUE),
            node.decimal("decay_rate", 0.96, 0.0, 1.0),
            node.bool("staircase", false),
            node.integer("reduce_on_plateau", 0, 0, Integer.MAX_VALUE),
            node.integer("reduce_on_plateau_patience", 10, 0, Integer.MAX_VALUE),
            node.decimal("reduce_on_plateau_rate", 0.1, 0.0, 1.0),
            node.string("reduce_eval_metric", "loss"),
            node.string("reduce_eval_split", "training"),
            node.optionalInteger("t_0", null, 1, Integer.MAX_VALUE),
            node.integer("t_mult", 1, 1, Integer.MAX_VALUE),
            node.decimal("eta_min", 0.0, 0.0, Double.MAX_VALUE));
    // Warmup is measured either in steps or in evaluations; two clocks would fight.
    if (scheduler.warmupFraction > 0 && scheduler.warmupEvaluations > 0) {
      node.error("warmup_fraction", "is " + scheduler.warmupFraction + " but warmup_evaluations is also "
              + scheduler.warmupEvaluations + "; set only one of them");
    }
    node.rejectUnknownKeys();
    return scheduler;
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("warmup_evaluations", warmupEvaluations, "warmup_fraction", warmupFraction, "decay", decay,
            "decay_steps", decaySteps, "decay_rate", decayRate, "staircase", staircase,
            "reduce_on_plateau", reduceOnPlateau, "reduce_on_plateau_patience", reduceOnPlateauPatience,
            "reduce_on_plateau_rate", reduceOnPlateauRate, "reduce_eval_metric", reduceEvalMetric,
            "reduce_eval_split", reduceEvalSplit, "t_0", t0, "t_mult", tMult, "eta_min", etaMin);
  }
}
