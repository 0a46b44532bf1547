package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.BertConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * trainer.enable_gradient_checkpointing: a train step of a BERT text model recomputes each encoder
 * layer in backward, so the step's peak of counted native memory is lower, while the update is the
 * same (dropout off here, so both runs see the same masks; the native bert_test checks the replayed
 * dropout masks' gradients).
 */
class GradientCheckpointingTest {
  private static final BertConfig BERT = new BertConfig("bert", 100, 64, 6, 4, 256, "gelu", 64, 2, 1e-12, 0, 0, 0);
  private static final int ROWS = 32, LENGTH = 64;

  record Step(long peakBytes, List<float[]> weights) {}

  private static Step step(boolean checkpointing) {
    NativeRuntime.memoryStats(true);  // counting starts with the first call: before the model exists
    EcdModel.Builder spec = EcdModel.builder(3);
    spec.input(EcdModel.InputSpec.text("t", TextEncoderModel.create(BERT.toTransformerConfig(), 3), ReduceOutput.MEAN, true));
    spec.output(EcdModel.OutputSpec.category("y", 3, new float[0], 1.0));
    Random random = new Random(4);
    long[] ids = new long[ROWS * LENGTH], mask = new long[ROWS * LENGTH], y = new long[ROWS];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1 + random.nextInt(99);
      mask[i] = 1;
    }
    for (int i = 0; i < ROWS; i++) y[i] = random.nextInt(3);
    try (EcdModel model = spec.build(List.of(), false); Tensor idsT = Tensor.of(ids, ROWS, LENGTH);
        Tensor maskT = Tensor.of(mask, ROWS, LENGTH); Tensor yT = Tensor.of(y, ROWS)) {
      model.configure(EcdModel.TrainSpec.DEFAULT.withGradientCheckpointing(checkpointing)
          .withOptimizer(EcdModel.OptimizerSpec.sgd(0, 0, 0, false, false)));
      long before = NativeRuntime.memoryStats(true).inUse();
      model.trainStep(List.of(idsT, maskT), List.of(yT), 0.1);
      long peak = NativeRuntime.memoryStats(true).peak() - before;
      List<float[]> weights = new ArrayList<>();
      for (int i = 0; i < model.stateCount(); i++) {
        try (Tensor t = model.state(i)) {
          weights.add(t.toFloatArray());
        }
      }
      return new Step(peak, weights);
    }
  }

  @Test
  void recomputingTheLayersLowersThePeakAndKeepsTheUpdate() {
    Step plain = step(false), checkpointed = step(true);
    double worst = 0;
    for (int t = 0; t < plain.weights().size(); t++) {
      for (int i = 0; i < plain.weights().get(t).length; i++) {
        worst = Math.max(worst, Math.abs(plain.weights().get(t)[i] - checkpointed.weights().get(t)[i]));
      }
    }
    String numbers = "peak bytes of the step: plain " + plain.peakBytes() + ", checkpointed " + checkpointed.peakBytes()
        + "; largest weight difference after the step " + worst;
    System.out.println(numbers);
    assertTrue(worst < 1e-5, numbers);
    assertTrue(checkpointed.peakBytes() < 0.6 * plain.peakBytes(), numbers);
  }
}
