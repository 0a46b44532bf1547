package dev.fidelio.distributed;

import dev.fidelio.config.Backend;
import dev.fidelio.model.EcdModel;
import dev.fidelio.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training loop's view of data parallelism: one process alone ({@link #single}) or one rank of
 * a c10d process group. Every rank walks the same seeded global batches and trains on its own
 * contiguous slice of each ({@link #shard}); the slices cover every row exactly once, and each
 * rank's gradient is weighted by its share of the rows, so the update equals one process's on the
 * whole global batch. Rank 0 alone writes results and checkpoints.
 */
public final class Workers implements AutoCloseable {
  /** Seconds every collective may wait; FIDELIO_TIMEOUT_S overrides (the launcher passes --timeout_s). */
  public static final String TIMEOUT_VARIABLE = "FIDELIO_TIMEOUT_S";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);

  /** A rank's rows of one global batch; counted is 0 for a stand-in row (share 0) when it got none. */
  public record Shard(int[] rows, int counted) {}

  private final ProcessGroup group;
  private final Backend.Strategy strategy;
  private DataParallel sync;

  private Workers(ProcessGroup group, Backend.Strategy strategy) {
    this.group = group;
    this.strategy = strategy;
  }

  public static Workers single() {
    return new Workers(null, Backend.Strategy.DDP);
  }

  /**
   * This process's role: a rank of the group the environment describes (torchrun's variables), or
   * alone when there is none. backend.trainer.num_workers > 1 without that environment is an error:
   * `fidelio train` starts the workers itself, other launchers set the variables.
   */
  public static Workers start(Backend backend, Map<String, String> env) {
    Backend.Local local = backend instanceof Backend.Local l ? l : new Backend.Local();
    var worker = WorkerEnvironment.of(env);
    if (worker.isEmpty()) {
      if (local.numWorkers() > 1) {
        throw new IllegalArgumentException("backend.trainer.num_workers is " + local.numWorkers() + " but this process "
            + "was not started as a worker (WORLD_SIZE is unset): run `fidelio train`/`experiment`, which start the "
            + "workers, or a torchrun-style launcher");
      }
      return single();
    }
    WorkerEnvironment w = worker.get();
    if (local.numWorkers() > 1 && local.numWorkers() != w.worldSize()) {
      Log.warn("backend.trainer.num_workers is " + local.numWorkers() + " but the launcher started " + w.worldSize()
          + " workers (WORLD_SIZE): training with " + w.worldSize());
    }
    Duration timeout = timeout(env);
    var strategy = local.strategy();
    Log.info("rank " + w.rank() + " of " + w.worldSize() + ": joining the process group at " + w.masterAddr() + ":"
        + w.masterPort() + " (Gloo, timeout " + timeout.toSeconds() + " s)");
    return new Workers(ProcessGroup.join(w, ProcessGroup.Backend.GLOO, timeout), strategy);
  }

  static Duration timeout(Map<String, String> env) {
    String text = env.get(TIMEOUT_VARIABLE);
    if (text == null) return DEFAULT_TIMEOUT;
    try {
      double seconds = Double.parseDouble(text.trim());
      if (seconds > 0) return Duration.ofMillis(Math.round(seconds * 1000));
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("environment variable " + TIMEOUT_VARIABLE + "=" + text
        + ": expected a positive number of seconds");
  }

  public boolean distributed() {
    return group != null;
  }

  public int rank() {
    return group == null ? 0 : group.rank();
  }

  public int worldSize() {
    return group == null ? 1 : group.worldSize();
  }

  /** Rank 0 alone writes checkpoints and results. */
  public boolean writesResults() {
    return rank() == 0;
  }

  /** Starts every rank from rank 0's weights and synchronises the model's train steps from now on. */
  public void attach(EcdModel model) {
    if (group == null) return;
    group.broadcastModule(model, 0);
    sync = DataParallel.attach(group, model, strategy, DataParallel.DEFAULT_BUCKET_BYTES);
    long[] bytes = sync.parameterBytes();
    Log.info(String.format("rank %d: %s, updates %.2f MiB of %.2f MiB trainable parameters (optimizer state for "
        + "those only)", rank(), strategy == Backend.Strategy.DEEPSPEED ? "ZeRO-1" : "DDP", bytes[0] / 1048576.0,
        bytes[1] / 1048576.0));
  }

  /** Model buffers (batch-norm statistics) differ per rank: evaluate everywhere with rank 0's. */
  public void synchronizeModel(EcdModel model) {
    if (group != null) group.broadcastModule(model, 0);
  }

  /** This rank's contiguous slice of a global batch (sizes differ by at most one row). */
  public Shard shard(int[] globalRows) {
    if (group == null) return new Shard(globalRows, globalRows.length);
    int m = globalRows.length;
    int world = group.worldSize();
    int r = group.rank();
    int base = m / world;
    int extra = m % world;
    int start = r * base + Math.min(r, extra);
    int count = base + (r < extra ? 1 : 0);
    sync.setShare((double) count / m);
    // A rank without rows still joins the step's collectives: one stand-in row whose gradient weighs 0.
    if (count == 0) return new Shard(new int[] {globalRows[0]}, 0);
    return new Shard(Arrays.copyOfRange(globalRows, start, start + count), count);
  }

  /** The element-wise sum over ranks (the values themselves when alone). */
  public double[] sum(double... values) {
    return group == null ? values : group.allReduceSum(values);
  }

  /** Rank 0's value on every rank: decisions (best model, early stop) stay identical everywhere. */
  public double fromRankZero(double value) {
    return group == null ? value : group.broadcast(0, value)[0];
  }

  /** Per-rank memory for description.json (collective: every rank calls it). */
  public Map<String, Object> describe(int optimizerStateSlots) {
    Map<String, Object> d = new LinkedHashMap<>();
    if (group == null) return d;
    int world = worldSize();
    long[] bytes = sync.parameterBytes();
    double[] updated = new double[world];
    double[] rss = new double[world];
    updated[rank()] = bytes[0];
    rss[rank()] = peakResidentBytes();
    double[] updatedAll = group.allReduceSum(updated);
    double[] rssAll = group.allReduceSum(rss);
    d.put("world_size", world);
    d.put("strategy", strategy == Backend.Strategy.DEEPSPEED ? "deepspeed (ZeRO stage 1)" : "ddp");
    d.put("trainable_parameter_bytes", bytes[1]);
    d.put("updated_parameter_bytes_per_rank", Arrays.stream(updatedAll).mapToLong(v -> (long) v).toArray());
    d.put("optimizer_state_bytes_per_rank",
        Arrays.stream(updatedAll).mapToLong(v -> (long) v * optimizerStateSlots).toArray());
    d.put("peak_resident_bytes_per_rank", Arrays.stream(rssAll).mapToLong(v -> (long) v).toArray());
    return d;
  }

  /** VmHWM of this process (Linux); 0 where /proc is not there. */
  static long peakResidentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: nothing to report
    }
    return 0;
  }

  @Override
  public void close() {
    if (sync != null) sync.close();
    if (group != null) group.close();
  }
}
