package dev.fidelio.api;

/**
 * Which rows of a dataset to predict or evaluate: all of them, or one split as the model's training
 * drew it (its split settings and seed, recorded in the model folder).
 */
public enum Split {
  /** Every row. */
  FULL,
  /** The training split. */
  TRAINING,
  /** The validation split. */
  VALIDATION,
  /** The test split. */
  TEST
}
