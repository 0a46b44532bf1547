package dev.fidelio.benchmarks.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Checks that the DJL step really trains before it is timed: the loss on the fixed batch must fall
 * over a few steps (it would not if the optimizer or the gradients were not wired), and no step's
 * gradient norm may be garbage (see DjlTrainStep on garbage collection). Prints the
 * engine, its LibTorch version and thread counts, and the losses; exits 1 if the loss did not fall
 * or a gradient was garbage.
 * Usage: DjlTrainCheck [steps] [batch] [length].
 */
public final class DjlTrainCheck {
  private DjlTrainCheck() {}

  public static void main(String[] args) {
    int steps = Math.max(4, args.length > 0 ? Integer.parseInt(args[0]) : 6);
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int length = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    Engine engine = Engine.getInstance();
    System.out.printf("engine=%s libtorch=%s djl=%s intra_op_threads=%d inter_op_threads=%d%n",
        engine.getEngineName(), engine.getVersion(), Engine.getDjlVersion(), JniUtils.getNumThreads(),
        JniUtils.getNumInteropThreads());
    float[] losses = new float[steps];
    int corrupt = 0;
    try (DjlTrainStep step = new DjlTrainStep(batch, length)) {
      for (int i = 0; i < steps; i++) {
        long start = System.nanoTime();
        losses[i] = step.step();
        double norm = step.lastGradientNorm();
        long heapUsed = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        System.out.printf("step %d loss %.5f grad_norm %.3g %.0f ms heap_used %d MiB%n", i, losses[i], norm,
            (System.nanoTime() - start) / 1e6, heapUsed >> 20);
        // A sound step's norm is O(10) here; a garbage one (see DjlTrainStep on GC) is >= 1e10 or NaN.
        if (!(norm < 1e6)) corrupt++;
      }
    }
    // Dropout makes single losses noisy: compare the first two steps with the last two.
    float first = (losses[0] + losses[1]) / 2;
    float last = (losses[steps - 2] + losses[steps - 1]) / 2;
    boolean trains = last < first && corrupt == 0;
    System.out.printf("loss_first=%.5f loss_last=%.5f corrupt_gradients=%d trains=%s%n", first, last, corrupt, trains);
    if (!trains) System.exit(1);
  }
}
