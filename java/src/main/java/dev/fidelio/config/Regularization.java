package dev.fidelio.config;

import java.util.List;

/**
 * Ludwig's {@code trainer.regularization_type} / {@code regularization_lambda}. Ludwig adds to the
 * training loss {@code lambda * sum(p^2)} (l2), {@code lambda * sum|p|} (l1) or both (l1_l2) over
 * all parameters. The gradient of the squared part, {@code 2 * lambda * p}, is exactly a coupled
 * weight decay of {@code 2 * lambda}, which the native Adam and SGD updates already apply, so it is
 * that decay added to the optimizer's own; the absolute part's gradient, {@code lambda * sign(p)},
 * is added to every trainable gradient by the native update (fdl_train_spec.l1_regularization).
 */
public final class Regularization {
  private Regularization() {}

  /** The coupled (L2) weight decay that regularization adds to every trainable parameter's update. */
  public static double coupledWeightDecay(Trainer trainer) {
    return hasSquares(trainer) ? 2 * trainer.regularizationLambda() : 0;
  }

  /** The lambda of the sign term the native update adds to every trainable gradient (0: none). */
  public static double l1Lambda(Trainer trainer) {
    return trainer.regularizationType() == Trainer.RegularizationType.L2 ? 0 : trainer.regularizationLambda();
  }

  private static boolean hasSquares(Trainer t) {
    return t.regularizationType() != Trainer.RegularizationType.L1;
  }

  // Only the squared part is a weight decay, so only it conflicts with the optimizer's own decay settings.
  static void check(Trainer t, List<ConfigError> errors) {
    if (t.regularizationLambda() == 0 || !hasSquares(t)) return;
    boolean decoupledDecay = t.optimizer() instanceof Optimizer.AdamW a && a.weightDecay() > 0;
    if (decoupledDecay) {
      errors.add(new ConfigError("trainer.regularization_lambda", "is " + t.regularizationLambda()
              + " but optimizer adamw also has weight_decay " + ((Optimizer.AdamW) t.optimizer()).weightDecay()
              + "; the L2 penalty is applied as coupled weight decay, which one native update cannot combine "
              + "with decoupled decay yet: use optimizer adam, or adamw with weight_decay 0"));
    }
    boolean exempt = switch (t.optimizer()) {
      case Optimizer.Adam a -> a.excludeBiasAndNormFromWeightDecay();
      case Optimizer.AdamW a -> a.excludeBiasAndNormFromWeightDecay();
      case Optimizer.Sgd s -> s.excludeBiasAndNormFromWeightDecay();
    };
    if (exempt) {
      errors.add(new ConfigError("trainer.optimizer." + Optimizer.EXCLUDE_KEY, "is true but "
              + "regularization_lambda > 0 penalises every parameter, biases and norms included, as Ludwig "
              + "does; set it false or regularization_lambda 0"));
    }
  }
}
