package dev.fidelio.train;

import dev.fidelio.config.Activation;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.Norm;
import dev.fidelio.config.NormParams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.features.Dataset;
import dev.fidelio.features.InputColumn;
import dev.fidelio.features.TargetColumn;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.runtime.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Out-of-memory under an artificial limit on LibTorch's CPU allocations: the trainer halves the
 * rows per pass and accumulates, so the step equals an unlimited one; the batch-size probe stops at
 * the first size that does not fit and leaves the model as it found it.
 */
class OutOfMemoryTest {
  private static final int ROWS = 256;
  private static final int WIDTH = 512;

  @AfterEach
  void noLimit() {
    NativeRuntime.setMemoryLimit(0);
  }

  private static EcdModel model() {
    EcdModel.Builder spec = EcdModel.builder(3);
    spec.input(EcdModel.InputSpec.embedding("x", WIDTH));
    spec.output(EcdModel.OutputSpec.category("y", 3, new float[0], 1.0));
    EcdModel model = spec.build(List.of(new FcLayer(32, Activation.RELU, 0.0, Norm.NONE,
        new NormParams(128, 0.1, 1e-5), true)), false);
    // SGD: the step is linear in the gradient, so the summation order of the halves shows only as
    // float rounding (Adam divides by sqrt(v) and magnifies it where gradients are near zero).
    model.configure(EcdModel.TrainSpec.DEFAULT.withOptimizer(EcdModel.OptimizerSpec.sgd(0.9, 0, 0.01, false, false)));
    return model;
  }

  private static Dataset data(int rows) {
    Random random = new Random(5);
    float[] x = new float[rows * WIDTH];
    long[] y = new long[rows];
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
    for (int i = 0; i < rows; i++) y[i] = random.nextInt(3);
    return new Dataset(IntStream.range(0, rows).toArray(), List.of(InputColumn.Dense.of(x, WIDTH)),
        List.of(new TargetColumn.ClassIds(y)));
  }

  /** Transient bytes one pass over rows allocates (peak above what was in use before). */
  private static long passBytes(EcdModel model, Dataset data, int rows) {
    long before = NativeRuntime.memoryStats(true).inUse();
    TrainingLoop.update(model, data, IntStream.range(0, rows).toArray(), new TrainingLoop.MicroBatch(rows), 0.0);
    return NativeRuntime.memoryStats(true).peak() - before;
  }

  @Test
  void outOfMemoryHalvesThePassAndKeepsTheStep() {
    Dataset data = data(ROWS);
    int[] rows = IntStream.range(0, ROWS).toArray();
    try (EcdModel reference = model(); EcdModel limited = model()) {
      long whole = passBytes(limited, data, ROWS); // also creates the optimizer state, as the reference's next step
      passBytes(reference, data, ROWS);
      TrainingLoop.update(reference, data, rows, new TrainingLoop.MicroBatch(ROWS), 0.01);

      // Room for about a third of a whole pass: 256 and 128 rows fail, 64 fit.
      long inUse = NativeRuntime.memoryStats(true).inUse();
      NativeRuntime.setMemoryLimit(inUse + whole / 3);
      var microBatch = new TrainingLoop.MicroBatch(ROWS);
      TrainingLoop.update(limited, data, rows, microBatch, 0.01);
      NativeRuntime.setMemoryLimit(0);

      assertTrue(microBatch.size < ROWS && microBatch.size >= 1, "rows per pass: " + microBatch.size);
      Map<String, Tensor> a = reference.stateDict();
      Map<String, Tensor> b = limited.stateDict();
      for (String name : a.keySet()) {
        assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), 1e-6f, name);
      }
      a.values().forEach(Tensor::close);
      b.values().forEach(Tensor::close);
    }
  }

  @Test
  void probeStopsAtOutOfMemoryAndRestoresTheModel() {
    Dataset data = data(5 * 128); // 20% of the rows: the cap of 128 applies
    try (EcdModel model = model()) {
      long whole = passBytes(model, data, 128);
      Map<String, Tensor> before = model.stateDict();
      long inUse = NativeRuntime.memoryStats(true).inUse();
      NativeRuntime.setMemoryLimit(inUse + whole / 3);
      int[] resets = {0};
      var result = BatchSizeProbe.training(model, data, 128, () -> resets[0]++);
      NativeRuntime.setMemoryLimit(0);

      var trials = result.trials();
      assertEquals(2, trials.getFirst().batchSize());
      for (int i = 1; i < trials.size(); i++) assertEquals(2 * trials.get(i - 1).batchSize(), trials.get(i).batchSize());
      var last = trials.getLast();
      assertTrue(last.batchSize() <= 128, "" + trials);
      // Throughput on a busy machine may stop the doubling first; if not, memory stops it below 128.
      assertTrue(last.outcome().equals("out of memory") || last.outcome().equals("slower: stop"), "" + trials);
      assertTrue(result.batchSize() < last.batchSize() && result.batchSize() >= 2, "" + trials);
      assertEquals(1, resets[0]);
      Map<String, Tensor> after = model.stateDict();
      for (String name : before.keySet()) {
        assertArrayEquals(before.get(name).toFloatArray(), after.get(name).toFloatArray(), 0f, name);
      }
      before.values().forEach(Tensor::close);
      after.values().forEach(Tensor::close);
    }
  }
}
