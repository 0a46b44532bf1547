package dev.fidelio.benchmarks;

import dev.fidelio.runtime.NativeRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The ResNet-18 train step of {@link ResNetTrainStepBenchmark} in lock-step with its PyTorch eager
 * and C++ twins (benchmarks/resnet_lockstep.py): prints "ready" once built, then answers each
 * "step" line on stdin with the step's milliseconds and loss. Steps of seconds on a shared 2-core
 * machine need their implementations interleaved step by step, so that load falls on all alike.
 * Usage: java -cp benchmarks.jar dev.fidelio.benchmarks.ResNetStepServer [batch] [size] [type variant]
 */
public final class ResNetStepServer {
  private ResNetStepServer() {}

  public static void main(String[] args) throws Exception {
    int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 224;
    ResNetTrainStepBenchmark step = new ResNetTrainStepBenchmark();
    step.batch = batch;
    step.size = size;
    step.type = args.length > 3 ? args[2] : "resnet";
    step.variant = args.length > 3 ? args[3] : "18";
    step.setUp();
    var info = NativeRuntime.info();
    System.out.println("ready intra_op_threads=" + info.get("intra_op_threads") + " inter_op_threads="
        + info.get("inter_op_threads"));
    System.out.flush();
    var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      long start = System.nanoTime();
      double loss = step.trainStep();
      System.out.printf("%.3f %.5f%n", (System.nanoTime() - start) / 1e6, loss);
      System.out.flush();
    }
    step.tearDown();
  }
}
