package dev.fidelio.train;

/**
 * The learning rate of every optimizer step: linear warmup over the first warmup steps, then a decay
 * over the remaining steps, with Ludwig's formulas (ludwig/modules/lr_scheduler.py, v0.10.4): warmup
 * {@code lr x step / warmup} (so the first step's rate is 0, as there), linear decay to 0, exponential
 * {@code decay_rate^(1 + t / decay_steps)} (the exponent rounded up with staircase), t counted from the
 * end of warmup; cosine is one curve over the whole run down to a minimum instead of Ludwig's
 * per-evaluation restarts.
 */
public record LearningRateSchedule(
    double baseLearningRate, long totalSteps, long warmupSteps, Decay decay, double minLearningRate,
    double decayRate, long decayEverySteps, boolean staircase) {

  public enum Decay { NONE, LINEAR, COSINE, EXPONENTIAL }

  public LearningRateSchedule {
    if (!(baseLearningRate > 0) || !Double.isFinite(baseLearningRate)) {
      throw new IllegalArgumentException("learning rate must be a positive finite number, got " + baseLearningRate);
    }
    if (totalSteps < 1) throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
    if (warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException("warmup steps must lie in [0, " + totalSteps + "], got " + warmupSteps);
    }
  }

  /** Warmup over warmupFraction of all steps, then the given decay (Ludwig's common case). */
  public static LearningRateSchedule of(double base, long totalSteps, double warmupFraction, Decay decay) {
    if (warmupFraction < 0 || warmupFraction > 1) {
      throw new IllegalArgumentException("warmup_fraction must lie in [0, 1], got " + warmupFraction);
    }
    return new LearningRateSchedule(base, totalSteps, Math.round(warmupFraction * totalSteps), decay, 0.0, 0.96,
        Math.max(1, totalSteps / 10), false);
  }

  /** The rate for 0-based step. */
  public double at(long step) {
    if (step < warmupSteps) return baseLearningRate * step / warmupSteps;
    long decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    return switch (decay) {
      case NONE -> baseLearningRate;
      case LINEAR -> minLearningRate + (baseLearningRate - minLearningRate) * (1 - progress);
      case COSINE -> minLearningRate + (baseLearningRate - minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
      case EXPONENTIAL -> {
        double exponent = 1 + (double) (step - warmupSteps) / decayEverySteps;
        yield baseLearningRate * Math.pow(decayRate, staircase ? Math.ceil(exponent) : exponent);
      }
    };
  }
}
