package dev.fidelio.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The parameters MixedPrecisionBenchmark and CompileBenchmark share: the device and the step's shape
 * (bert-base at batch 32, sequence 128 by default; -p layers=2 -p hidden=128 -p device=cpu for a
 * smoke run). Each subclass builds its step in its own @Setup; this class closes it.
 */
@State(Scope.Thread)
public abstract class BertStepState {
  @Param({"cuda"})
  String device;

  @Param({"12"})
  int layers;

  @Param({"768"})
  int hidden;

  @Param({"32"})
  int batch;

  @Param({"128"})
  int length;

  BertTrainStep step;

  BertTrainStep createStep(String precision, boolean compile) {
    return BertTrainStep.create(new BertTrainStep.Shape(layers, hidden, batch, length), device, precision, compile,
        0.1, 3);
  }

  /** Runs before the step is closed at the end of a trial, to report what it did. */
  void beforeClose() {}

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      beforeClose();
    } finally {
      step.close();
    }
  }
}
