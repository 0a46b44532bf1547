package dev.fidelio.model;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.Optimizer;
import dev.fidelio.config.Regularization;
import dev.fidelio.model.EcdModel.ClippingSpec;
import dev.fidelio.model.EcdModel.OptimizerSpec;
import dev.fidelio.model.EcdModel.Precision;
import dev.fidelio.model.EcdModel.TrainSpec;
import dev.fidelio.runtime.Device;

/** The native train spec a config's trainer section describes, for a model on device. */
public final class TrainSpecs {
  private TrainSpecs() {}

  public static TrainSpec of(FidelioConfig config, Device device) {
    var t = config.trainer();
    // The sum p^2 part of trainer.regularization_lambda (l2, l1_l2) is a coupled decay; with it, adamw has
    // weight_decay 0 (checked), i.e. is adam.
    double l2 = Regularization.coupledWeightDecay(t);
    OptimizerSpec optimizer = switch (t.optimizer()) {
      case Optimizer.AdamW a -> OptimizerSpec.adam(a.betas().get(0), a.betas().get(1), a.eps(),
          l2 > 0 ? l2 : a.weightDecay(), l2 == 0, a.excludeBiasAndNormFromWeightDecay());
      case Optimizer.Adam a -> OptimizerSpec.adam(a.betas().get(0), a.betas().get(1), a.eps(), a.weightDecay() + l2,
          false, a.excludeBiasAndNormFromWeightDecay());
      case Optimizer.Sgd s -> OptimizerSpec.sgd(s.momentum(), s.dampening(), s.weightDecay() + l2, s.nesterov(),
          s.excludeBiasAndNormFromWeightDecay());
    };
    // Ludwig's use_mixed_precision is float16 AMP (with loss scaling) on a GPU; on CPU autocast runs bfloat16.
    Precision precision = !t.useMixedPrecision() ? Precision.FLOAT32
        : device.type() == Device.Type.CUDA ? Precision.FLOAT16 : Precision.BFLOAT16;
    var clip = t.gradientClipping();
    var clipping = new ClippingSpec(orZero(clip.clipglobalnorm()), orZero(clip.clipnorm()), orZero(clip.clipvalue()));
    return new TrainSpec(optimizer, clipping, precision, t.compile(), Regularization.l1Lambda(t),
        t.layersToFreezeRegex(), t.enableGradientCheckpointing());
  }

  /** Prediction only: compile (the frozen forward on the CPU) as the config says, nothing else trains. */
  public static TrainSpec forPrediction(FidelioConfig config) {
    return new TrainSpec(OptimizerSpec.adam(0.9, 0.999, 1e-8, 0, true, false), ClippingSpec.NONE, Precision.FLOAT32,
        config.trainer().compile(), 0, null, false);
  }

  private static double orZero(Double value) {
    return value == null ? 0 : value;
  }
}
