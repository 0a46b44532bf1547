package dev.fidelio.benchmarks.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DJL's twin of Fidelio's FrozenEncoderPassBenchmark: the MiniLM-shaped encoder in inference mode
 * (training=false: no dropout; no gradients are attached, so autograd records nothing), mean-pooled,
 * one batch of 32 x 128 ids. The block is called directly, as a Predictor with a no-op translator
 * would call it, without the translator's per-call bookkeeping.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class DjlFrozenEncoderPassBenchmark {
  @Param({"32"})
  int batch;

  @Param({"128"})
  int length;

  private Model model;
  private MiniLmClassifier block;
  private ParameterStore parameters;
  private NDList inputs;

  @Setup(Level.Trial)
  public void setUp() {
    model = Model.newInstance("minilm-djl-frozen");
    block = new MiniLmClassifier(length);
    model.setBlock(block);
    Shape shape = new Shape(batch, length);
    block.initialize(model.getNDManager(), DataType.FLOAT32, shape, shape, shape);
    parameters = new ParameterStore(model.getNDManager(), false);
    inputs = RandomBatch.inputs(model.getNDManager(), batch, length);
  }

  @Benchmark
  public float[] embed() {
    try (NDManager scope = model.getNDManager().newSubManager()) {
      NDList batchInputs = new NDList(inputs.get(0).duplicate(), inputs.get(1).duplicate(), inputs.get(2).duplicate());
      batchInputs.attach(scope); // the pass's intermediates follow their inputs into this scope
      NDArray embeddings = block.pool(parameters, batchInputs, false);
      // Fidelio's pass hands back a native tensor; reading the 32 x 384 floats costs microseconds
      // here and keeps JMH from discarding the work.
      return embeddings.toFloatArray();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
  }
}
