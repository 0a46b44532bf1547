package dev.fidelio.train;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fidelio.config.AutoOr;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.InputColumn;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.runtime.Status;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.util.JsonFiles;
import dev.fidelio.util.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * batch_size: auto and eval_batch_size: auto, chosen as Ludwig does: sizes double from 2, each
 * timed over a few steps (median), and the probe stops at an out-of-memory error or when the
 * throughput (rows per second) drops; the size is capped at 20% of the training rows and at
 * max_batch_size. Unlike Ludwig it times the real longest rows (the worst memory case) and puts
 * the weights, optimizer and generator back afterwards, so probing leaves no trace in training.
 */
public final class BatchSizeProbe {
  /** Ludwig's first candidate. */
  static final int SMALLEST = 2;
  /** Timed steps per candidate, after one untimed warm-up step. */
  static final int STEPS = 3;

  /** One candidate: its median throughput, or why it was the last one tried. */
  public record Trial(int batchSize, double samplesPerSecond, String outcome) {}

  public record Result(String what, int batchSize, List<Trial> trials) {
    public Map<String, Object> describe() {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("chosen", batchSize);
      List<Map<String, Object>> table = new ArrayList<>();
      for (Trial t : trials) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("batch_size", t.batchSize());
        row.put("samples_per_second", t.samplesPerSecond());
        row.put("outcome", t.outcome());
        table.add(row);
      }
      d.put("trials", table);
      return d;
    }
  }

  private BatchSizeProbe() {}

  /** Where the choice of a run is kept, so a resumed run trains with the same sizes. */
  static final String FILE = "batch_size_probe.json";
  /** Ludwig caps batch_size: auto at 128 without a GPU. */
  static final int CPU_MAX_BATCH_SIZE = 128;

  /** The plan to train with, and the probe tables for description.json (null when no batch size is auto). */
  public record Resolved(TrainingPlan plan, Map<String, Object> probes) {}

  /**
   * The plan with batch_size / eval_batch_size auto resolved by probing (or, when resuming, as the
   * interrupted run chose them); the probe tables also go to results/batch_size_probe.json.
   */
  public static Resolved resolve(FidelioConfig config, TrainingPlan plan, EcdModel model, Dataset train,
                                 Dataset validation, Path results, Runnable resetOptimizer) {
    var t = config.trainer();
    boolean autoBatch = t.batchSize() instanceof AutoOr.Auto<Integer>;
    boolean autoEval = t.evalBatchSize() instanceof AutoOr.Auto<Integer>;
    if (!autoBatch && !autoEval) return new Resolved(plan, null);
    Path file = results.resolve(FILE);
    Map<String, Object> probes;
    if (Files.exists(file)) {
      try {
        probes = JsonFiles.MAPPER.readValue(file.toFile(), new TypeReference<>() {});
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
      Log.info("batch sizes as the interrupted run probed them: " + file);
    } else {
      probes = new LinkedHashMap<>();
      int max = Math.min(t.maxBatchSize(), CPU_MAX_BATCH_SIZE);
      if (autoBatch) probes.put("batch_size", training(model, train, max, resetOptimizer).describe());
      if (autoEval) {
        Dataset data = validation.size() > 0 ? validation : train;
        probes.put("eval_batch_size", evaluation(model, data, Math.min(t.maxBatchSize(), CPU_MAX_BATCH_SIZE)).describe());
      }
      JsonFiles.write(file, probes);
    }
    return new Resolved(TrainingPlan.of(config, train.size(), plan.seed(), plan.workers(),
        chosen(probes, "batch_size"), chosen(probes, "eval_batch_size")), probes);
  }

  @SuppressWarnings("unchecked")
  private static Integer chosen(Map<String, Object> probes, String key) {
    return probes.get(key) instanceof Map<?, ?> probe ? ((Number) ((Map<String, Object>) probe).get("chosen")).intValue()
        : null;
  }


  /** The largest candidate: 20% of the training rows and max_batch_size, at least 1. */
  static int cap(int trainingRows, int maxBatchSize) {
    return Math.max(1, Math.min(maxBatchSize, trainingRows / 5));
  }

  /**
   * Probes training steps on the longest rows of train; afterwards the weights and generator are
   * restored and resetOptimizer recreates the optimizer with its settings and no state.
   */
  public static Result training(EcdModel model, Dataset train, int maxBatchSize, Runnable resetOptimizer) {
    int[] longest = longestFirst(train);
    Map<String, Tensor> weights = model.stateDict();
    try (Tensor rng = NativeRuntime.rngState()) {
      return search("batch_size", cap(train.size(), maxBatchSize), size -> {
        int[] rows = Arrays.copyOf(longest, size);
        return medianSeconds(() -> step(model, train, rows));
      });
    } finally {
      model.loadState(weights, List.of());
      weights.values().forEach(Tensor::close);
      resetOptimizer.run();
    }
  }

  /** Probes evaluation batches (no gradients, nothing to restore) on the longest rows of data. */
  public static Result evaluation(EcdModel model, Dataset data, int maxBatchSize) {
    int[] longest = longestFirst(data);
    return search("eval_batch_size", cap(data.size() * 5, maxBatchSize), size -> {
      int[] rows = Arrays.copyOf(longest, Math.min(size, longest.length));
      return medianSeconds(() -> {
        List<Tensor> inputs = data.inputTensors(rows);
        List<Tensor> targets = data.targetTensors(rows);
        try {
          model.evaluate(inputs, targets).close();
        } finally {
          inputs.forEach(Tensor::close);
          targets.forEach(Tensor::close);
        }
      });
    });
  }

  private interface Timed {
    double secondsFor(int batchSize);
  }

  private static Result search(String what, int cap, Timed timed) {
    List<Trial> trials = new ArrayList<>();
    int best = 0;
    double bestRate = 0;
    for (int size = Math.min(SMALLEST, cap); size <= cap; size *= 2) {
      double seconds;
      try {
        seconds = timed.secondsFor(size);
      } catch (FidelioException e) {
        if (e.status() != Status.OUT_OF_MEMORY) throw e;
        trials.add(new Trial(size, Double.NaN, "out of memory"));
        break;
      }
      double rate = size / seconds;
      if (rate < bestRate) {
        trials.add(new Trial(size, rate, "slower: stop"));
        break;
      }
      trials.add(new Trial(size, rate, size * 2 > cap ? "largest allowed" : "faster"));
      best = size;
      bestRate = rate;
    }
    if (best == 0) {
      throw new IllegalStateException(what + ": auto found no batch size that fits in memory (even "
          + Math.min(SMALLEST, cap) + " rows ran out); set " + what + " to 1 or free memory");
    }
    Log.info(what + ": auto -> " + best + " (probe: " + table(trials) + ")");
    return new Result(what, best, trials);
  }

  private static String table(List<Trial> trials) {
    StringBuilder out = new StringBuilder();
    for (Trial t : trials) {
      if (!out.isEmpty()) out.append("; ");
      out.append(t.batchSize()).append(": ").append(Double.isNaN(t.samplesPerSecond()) ? "-"
          : String.format("%.1f rows/s", t.samplesPerSecond())).append(" ").append(t.outcome());
    }
    return out.toString();
  }

  private static double medianSeconds(Runnable step) {
    step.run(); // warm-up: first-touch allocations and kernel selection
    double[] seconds = new double[STEPS];
    for (int i = 0; i < STEPS; i++) {
      long start = System.nanoTime();
      step.run();
      seconds[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(seconds);
    return seconds[STEPS / 2];
  }

  /** A full training step at learning rate 0 (the weights do not move; the state is restored anyway). */
  private static void step(EcdModel model, Dataset train, int[] rows) {
    List<Tensor> inputs = train.inputTensors(rows);
    List<Tensor> targets = train.targetTensors(rows);
    try {
      model.trainMicroBatch(inputs, targets, 1.0, true, true, 0.0);
    } finally {
      inputs.forEach(Tensor::close);
      targets.forEach(Tensor::close);
    }
  }

  /** Row indices by total token count, longest first (rows without tokens count 0). */
  static int[] longestFirst(Dataset data) {
    long[] length = new long[data.size()];
    for (InputColumn column : data.inputs()) {
      if (column instanceof InputColumn.Tokens tokens) {
        for (int r = 0; r < length.length; r++) length[r] += tokens.length(r);
      }
    }
    return IntStream.range(0, data.size()).boxed().sorted(Comparator.comparingLong((Integer r) -> -length[r]))
        .mapToInt(Integer::intValue).toArray();
  }
}
