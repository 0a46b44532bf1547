package dev.fidelio.train;

/**
 * Ludwig's reduce_on_plateau: torch's ReduceLROnPlateau (relative threshold 1e-4, no cooldown)
 * watching one metric at each evaluation, capped at reduce_on_plateau reductions. After more than
 * patience evaluations without improvement the rate is multiplied by rate; the factor multiplies
 * the warmup/decay schedule, as Ludwig re-applies the reduction after every scheduler step.
 */
public final class PlateauReduction {
  /** torch's default: an improvement must beat the best by this relative margin. */
  static final double THRESHOLD = 1e-4;

  private final int maxReductions;
  private final int patience;
  private final double rate;
  private final boolean lowerIsBetter;
  private double best = Double.NaN;
  private int badEvaluations;
  private int reductions;

  public PlateauReduction(int maxReductions, int patience, double rate, boolean lowerIsBetter) {
    this.maxReductions = maxReductions;
    this.patience = patience;
    this.rate = rate;
    this.lowerIsBetter = lowerIsBetter;
  }

  /** Never reduces. */
  static PlateauReduction off() {
    return new PlateauReduction(0, 0, 1.0, true);
  }

  /** What a checkpoint keeps. */
  public record State(double best, int badEvaluations, int reductions) {}

  public State state() {
    return new State(best, badEvaluations, reductions);
  }

  public void restore(State state) {
    best = state.best();
    badEvaluations = state.badEvaluations();
    reductions = state.reductions();
  }

  /** The multiplier of the scheduled learning rate: rate^reductions. */
  public double factor() {
    return Math.pow(rate, reductions);
  }

  public int reductions() {
    return reductions;
  }

  /** Records one evaluation's metric; true when it reduced the rate. */
  public boolean observe(double value) {
    if (reductions >= maxReductions || Double.isNaN(value)) return false;
    if (improves(value)) {
      best = value;
      badEvaluations = 0;
      return false;
    }
    if (++badEvaluations <= patience) return false;
    reductions++;
    badEvaluations = 0;
    return true;
  }

  private boolean improves(double value) {
    if (Double.isNaN(best)) return true;
    return lowerIsBetter ? value < best * (1 - THRESHOLD) : value > best * (1 + THRESHOLD);
  }
}
