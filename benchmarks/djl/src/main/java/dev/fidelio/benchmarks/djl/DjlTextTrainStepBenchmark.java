package dev.fidelio.benchmarks.djl;

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
 * DJL's twin of Fidelio's TextTrainStepBenchmark (same JMH settings, batch, length, optimizer,
 * clipping): one training step of the MiniLM-shaped classifier, see {@link DjlTrainStep}. JMH's
 * -jvmArgsAppend on the command line replaces the GC flags below: pass them again there.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
// Epsilon GC (no collection): a collection between forward and backward corrupts DJL's gradients,
// see DjlTrainStep. A step allocates ~1.3 MiB of Java heap, so 2 GiB lasts ~1,500 steps.
@Fork(value = 1, jvmArgsAppend = {"-XX:+UnlockExperimentalVMOptions", "-XX:+UseEpsilonGC", "-Xmx2g"})
public class DjlTextTrainStepBenchmark {
  @Param({"32"})
  int batch;

  @Param({"128"})
  int length;

  private DjlTrainStep step;

  @Setup(Level.Trial)
  public void setUp() {
    step = new DjlTrainStep(batch, length);
  }

  @Benchmark
  public float trainStep() {
    return step.step();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    step.close();
  }
}
