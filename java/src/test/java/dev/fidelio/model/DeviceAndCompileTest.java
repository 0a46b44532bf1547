package dev.fidelio.model;

import dev.fidelio.config.Activation;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.Norm;
import dev.fidelio.config.NormParams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.runtime.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Moving a model to its device keeps its optimizer state (a moved model trains on exactly as one
 * left in place), and trainer.compile says what it did: on the CPU the train step stays eager and
 * evaluation runs a frozen TorchScript copy that answers as the eager model does, remade whenever
 * the weights change.
 */
class DeviceAndCompileTest {
  private static final int ROWS = 8;
  private static final int VOCABULARY = 5;

  private static final EcdModel.TrainSpec TRAIN = EcdModel.TrainSpec.DEFAULT
      .withOptimizer(EcdModel.OptimizerSpec.adam(0.9, 0.999, 1e-8, 0.1, true, true))
      .withClipping(new EcdModel.ClippingSpec(0.5, 0, 0));

  private static EcdModel model() {
    EcdModel.Builder spec = EcdModel.builder(5);
    spec.input(EcdModel.InputSpec.scalar("a", List.of()));
    spec.input(EcdModel.InputSpec.category("c", VOCABULARY, 3, true, 0.0));
    spec.output(EcdModel.OutputSpec.category("y", 3, new float[0], 1.0));
    EcdModel model = spec.build(List.of(new FcLayer(6, Activation.TANH, 0.0, Norm.NONE,
        new NormParams(128, 0.1, 1e-5), true)), false);
    model.configure(TRAIN);
    return model;
  }

  private static List<Tensor> inputs(Random random) {
    float[] a = new float[ROWS];
    long[] c = new long[ROWS];
    for (int i = 0; i < ROWS; i++) {
      a[i] = (float) random.nextGaussian();
      c[i] = random.nextInt(VOCABULARY);
    }
    return List.of(Tensor.of(a, ROWS), Tensor.of(c, ROWS));
  }

  private static double step(EcdModel model, Random random) {
    List<Tensor> x = inputs(random);
    long[] y = new long[ROWS];
    for (int i = 0; i < ROWS; i++) y[i] = random.nextInt(3);
    try (Tensor ys = Tensor.of(y, ROWS)) {
      return model.trainStep(x, List.of(ys), 0.05);
    } finally {
      x.forEach(Tensor::close);
    }
  }

  private static float[] probabilities(EcdModel model, long seed) {
    List<Tensor> x = inputs(new Random(seed));
    try (EcdModel.Evaluation evaluation = model.evaluate(x, List.of())) {
      return evaluation.predictions().get(0).toFloatArray();
    } finally {
      x.forEach(Tensor::close);
    }
  }

  private static double[] values(Tensor t) {
    try (Tensor d = t.to(DType.FLOAT64)) {
      return d.toDoubleArray();
    }
  }

  @Test
  void movingTheModelKeepsItsOptimizerState() {
    try (EcdModel moved = model(); EcdModel staying = model()) {
      Random a = new Random(3);
      Random b = new Random(3);
      for (int i = 0; i < 3; i++) assertEquals(step(staying, a), step(moved, b), 0.0);
      moved.toDevice(Device.CPU);
      assertEquals(Device.CPU, moved.device());
      Map<String, Tensor> before = staying.optimizerState();
      Map<String, Tensor> after = moved.optimizerState();
      try {
        assertEquals(before.keySet(), after.keySet());
        for (String name : before.keySet()) {
          assertArrayEquals(values(before.get(name)), values(after.get(name)), 0.0, name);
        }
      } finally {
        before.values().forEach(Tensor::close);
        after.values().forEach(Tensor::close);
      }
      // Step counts and moments carried over: the next updates are the same.
      for (int i = 0; i < 3; i++) assertEquals(step(staying, a), step(moved, b), 0.0, "step " + i);
    }
  }

  @Test
  void compileOnTheCpuTrainsEagerAndEvaluatesAFrozenCopy() {
    try (EcdModel compiled = model(); EcdModel eager = model()) {
      String report = compiled.configure(TRAIN.withCompile(true));
      assertTrue(report.startsWith("training eager (") && report.contains("CPU")
          && report.contains("frozen TorchScript copy"), report);
      assertEquals("eager", eager.configure(TRAIN));
      Random a = new Random(9);
      Random b = new Random(9);
      for (int round = 1; round <= 2; round++) {
        for (int i = 0; i < 4; i++) assertEquals(step(eager, a), step(compiled, b), 0.0, "step " + i);
        assertArrayEquals(probabilities(eager, round), probabilities(compiled, round), 1e-6f, "round " + round);
        assertArrayEquals(probabilities(eager, 7), probabilities(compiled, 7), 1e-6f, "round " + round);
        EcdModel.CompileStats stats = compiled.compileStats();
        assertTrue(stats.frozenMs() > 0 && stats.eagerMs() > 0, stats.toString());
        assertTrue(stats.frozenDifference() < 1e-6, "the frozen copy answers as the eager model: " + stats);
        // Where the copy serves it is remade once per round (the weights changed in between, not between
        // the two evaluations); where eager was faster it is not kept.
        long copies = stats.frozenMs() < stats.eagerMs() ? round : 1;
        assertEquals(new EcdModel.CompileStats(0, 0, 0, copies, stats.frozenMs(), stats.eagerMs(),
            stats.frozenDifference()), stats);
      }
    }
  }

  @Test
  void aMissingCudaDeviceIsAClearError() {
    assumeTrue(NativeRuntime.deviceCount(Device.Type.CUDA) == 0, "this machine has CUDA");
    var e = assertThrows(IllegalArgumentException.class, () -> Device.select("cuda"));
    assertTrue(e.getMessage().contains("0 CUDA device(s)") && e.getMessage().contains("--device cpu"),
        e.getMessage());
    assertEquals(Device.CPU, Device.select("auto"));
    assertEquals(Device.CPU, Device.select(" CPU "));
    var bad = assertThrows(IllegalArgumentException.class, () -> Device.select("gpu0"));
    assertTrue(bad.getMessage().contains("expected auto, cpu, cuda or cuda:N"), bad.getMessage());
    try (EcdModel model = model()) {
      var native_ = assertThrows(FidelioException.class, () -> model.toDevice(Device.cuda(0)));
      assertTrue(native_.getMessage().contains("no CUDA"), native_.getMessage());
    }
  }
}
