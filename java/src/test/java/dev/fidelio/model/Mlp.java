package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.testing.FidelioTestingH;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A multi-layer perceptron trained natively: {@link #trainStep} is one downcall per batch that runs
 * zero-grad, forward, loss, backward and the multi-tensor AdamW update in C++.
 */
public final class Mlp extends NativeModule {
  public enum Loss {
    CROSS_ENTROPY(FidelioTestingH.FDL_LOSS_CROSS_ENTROPY),
    MSE(FidelioTestingH.FDL_LOSS_MSE);

    final int code;

    Loss(int code) {
      this.code = code;
    }
  }

  private Mlp(MemorySegment handle) {
    super("Mlp", handle, FidelioTestingH::fdl_mlp_free);
  }

  /** Layers inFeatures -> hidden... -> outFeatures with ReLU between, parameters of dtype (FLOAT32/FLOAT64). */
  public static Mlp create(long inFeatures, long[] hidden, long outFeatures, Loss loss, DType dtype, long seed) {
    try (var call = NativeCall.open()) {
      MemorySegment widths = call.arena().allocateFrom(JAVA_LONG, hidden);
      MemorySegment out = call.allocatePointer();
      call.check(FidelioTestingH.fdl_mlp_new(inFeatures, widths, hidden.length, outFeatures, loss.code, dtype.code(), seed, out,
          call.error(), call.errorCapacity()), "fdl_mlp_new");
      return new Mlp(handleFrom(out));
    }
  }

  public void setAdamW(double beta1, double beta2, double eps, double weightDecay) {
    try (var call = NativeCall.open()) {
      call.check(FidelioTestingH.fdl_mlp_set_adamw(handle(), beta1, beta2, eps, weightDecay, call.error(), call.errorCapacity()),
          "fdl_mlp_set_adamw");
    }
  }

  /** One optimisation step on (x, y); returns the loss before the update. */
  public double trainStep(Tensor x, Tensor y, double learningRate) {
    try (var call = NativeCall.open()) {
      MemorySegment loss = call.arena().allocate(JAVA_DOUBLE);
      call.check(FidelioTestingH.fdl_mlp_train_step(handle(), x.nativeHandle(), y.nativeHandle(), learningRate, loss,
          call.error(), call.errorCapacity()), "fdl_mlp_train_step");
      return loss.get(JAVA_DOUBLE, 0);
    }
  }

  /** The loss on (x, y) without an update; with computeGradients the gradients are kept for {@link #gradient(int)}. */
  public double loss(Tensor x, Tensor y, boolean computeGradients) {
    try (var call = NativeCall.open()) {
      MemorySegment loss = call.arena().allocate(JAVA_DOUBLE);
      call.check(FidelioTestingH.fdl_mlp_loss(handle(), x.nativeHandle(), y.nativeHandle(), computeGradients ? 1 : 0, loss,
          call.error(), call.errorCapacity()), "fdl_mlp_loss");
      return loss.get(JAVA_DOUBLE, 0);
    }
  }

  /** Outputs [batch, outFeatures] in evaluation mode. */
  public Tensor forward(Tensor x) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioTestingH.fdl_mlp_forward(handle(), x.nativeHandle(), out, call.error(), call.errorCapacity()),
          "fdl_mlp_forward");
      return Tensor.adopt(handleFrom(out));
    }
  }
}
