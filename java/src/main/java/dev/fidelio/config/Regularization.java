package dev.fidelio.config;

import java.util.List;

/**
 * Ludwig's {@code trainer.regularization_type} / {@code regularization_lambda}. Ludwig adds
 * {@code lambda * sum(p^2)} over all parameters to the training loss (l2); its gradient, {@code 2 *
 * lambda * p}, is exactly a coupled weight decay of {@code 2 * lambda}, which the native Adam and
 * SGD updates already apply, so l2 is implemented as that decay added to the optimizer's own. l1 and
 * l1_l2 need a sign term the native step does not compute yet and are refused.
 */
public final class Regularization {
  private Regularization() {}

  /** The coupled (L2) weight decay that regularization adds to every trainable parameter's update. */
  public static double coupledWeightDecay(Trainer trainer) {
    return 2 * trainer.regularizationLambda();
  }

  static void check(Trainer t, List<ConfigError> errors) {
    if (t.regularizationLambda() == 0) return;
    if (t.regularizationType() != Trainer.RegularizationType.L2) {
      errors.add(Unsupported.notYet("trainer.regularization_type", "'" + t.regularizationType().yamlName()
              + "' with regularization_lambda > 0", "l2 (an L2 penalty, applied as coupled weight decay)"));
    }
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
