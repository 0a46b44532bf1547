package dev.fidelio.benchmarks.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * One DJL training step of {@link MiniLmClassifier} on a fixed batch, the twin of Fidelio's
 * TextTrainStepBenchmark: forward, softmax cross-entropy, backward, global-norm clipping at 0.5,
 * AdamW (lr 1e-5, betas 0.9/0.999, eps 1e-8, weight decay 0.01), written as a DJL user writes a
 * custom loop (EasyTrain.trainBatch is the same calls plus batch splitting and metrics).
 *
 * <p>DJL's optimizers clip each element (optClipGrad), not the global norm, so the norm clipping
 * that Fidelio (and Ludwig, and the PyTorch twin) applies is written out on the gradients.
 * Gradients need no zeroing here: the PyTorch engine's AdamW zeroes each one after its update
 * (PtNDArrayEx.adamUpdate calls zeroGrad; measured, the norm does not grow over steps).
 *
 * <p>Run its JVM without garbage collection (Epsilon GC; benchmarks/run-djl.sh does): DJL turns each
 * scalar operand (x.mul(2f), the attention's 1/sqrt(d)) into a tensor over a Java direct buffer,
 * which it closes before the backward pass that still needs it; a collection between forward
 * and backward frees that memory and the gradients come back as garbage (measured: a System.gc()
 * there gave gradient norms of 1e18, then NaN; without forcing, 1e14-1e34 every few steps).
 */
public final class DjlTrainStep implements AutoCloseable {
  private final Model model;
  private final Trainer trainer;
  private final NDList inputs;
  private final NDArray labels;
  private final List<NDArray> parameters = new ArrayList<>();
  private double lastNorm = Double.NaN;

  public DjlTrainStep(int batch, int length) {
    model = Model.newInstance("minilm-djl");
    model.setBlock(new MiniLmClassifier(length));
    Optimizer adamW = Optimizer.adamW()
        .optLearningRateTracker(Tracker.fixed(1e-5f))
        .optBeta1(0.9f).optBeta2(0.999f).optEpsilon(1e-8f)
        .optWeightDecays(0.01f)
        .build();
    trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(adamW));
    Shape shape = new Shape(batch, length);
    trainer.initialize(shape, shape, shape);
    // Trainable parameters only: BatchNorm's running statistics carry no gradient, and BertBlock's
    // CLS pooler (poolingProjection) takes no part in this loss, so it gets none either.
    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
      if (p.getValue().requiresGradient() && !p.getKey().contains("poolingProjection")) {
        parameters.add(p.getValue().getArray());
      }
    }
    NDManager manager = trainer.getManager();
    inputs = RandomBatch.inputs(manager, batch, length);
    labels = manager.arange(0, batch, 1, DataType.INT64).mod(2);
  }

  /** Runs one step and returns its loss. */
  public float step() {
    float loss;
    try (NDManager scope = trainer.getManager().newSubManager()) {
      NDList data = new NDList(inputs.get(0).duplicate(), inputs.get(1).duplicate(), inputs.get(2).duplicate());
      data.attach(scope); // the step's intermediates follow their inputs into this scope and die with it
      NDList target = new NDList(labels.duplicate());
      target.attach(scope);
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray value = trainer.getLoss().evaluate(target, trainer.forward(data, target));
        collector.backward(value);
        loss = value.getFloat();
      }
      clipGlobalNorm(scope, 0.5f);
      trainer.step();
    }
    return loss;
  }

  /** The gradients' global L2 norm before clipping, as torch.nn.utils.clip_grad_norm_ returns it. */
  public double lastGradientNorm() {
    return lastNorm;
  }

  // torch.nn.utils.clip_grad_norm_: scale all gradients by max / (norm + 1e-6) when the norm exceeds max.
  private void clipGlobalNorm(NDManager scope, float max) {
    List<NDArray> grads = new ArrayList<>(parameters.size());
    double squares = 0;
    for (NDArray p : parameters) {
      NDArray grad = p.getGradient();
      grad.attach(scope); // the handle dies with the step; the gradient stays with its parameter
      grads.add(grad);
      NDArray norm = grad.norm();
      norm.attach(scope);
      double n = norm.getFloat();
      squares += n * n;
    }
    lastNorm = Math.sqrt(squares);
    if (lastNorm > max) {
      float scale = (float) (max / (lastNorm + 1e-6));
      for (NDArray grad : grads) grad.muli(scale);
    }
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
