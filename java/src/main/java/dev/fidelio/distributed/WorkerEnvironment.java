package dev.fidelio.distributed;

import java.util.Map;
import java.util.Optional;

/**
 * A worker's place in a data-parallel run, read from torchrun's environment variables (set by
 * {@code fidelio train --nproc_per_node}, torchrun, Slurm or Kubernetes wrappers): MASTER_ADDR and
 * MASTER_PORT (where rank 0 hosts the rendezvous store), WORLD_SIZE, RANK and LOCAL_RANK.
 */
public record WorkerEnvironment(String masterAddr, int masterPort, int rank, int localRank, int worldSize) {
  public static final String MASTER_ADDR = "MASTER_ADDR";
  public static final String MASTER_PORT = "MASTER_PORT";
  public static final String WORLD_SIZE = "WORLD_SIZE";
  public static final String RANK = "RANK";
  public static final String LOCAL_RANK = "LOCAL_RANK";

  /** Empty when WORLD_SIZE is unset: this process trains alone. */
  public static Optional<WorkerEnvironment> of(Map<String, String> env) {
    if (env.get(WORLD_SIZE) == null) return Optional.empty();
    int worldSize = number(env, WORLD_SIZE, 1, 1 << 20);
    int rank = number(env, RANK, 0, worldSize - 1);
    int localRank = env.get(LOCAL_RANK) == null ? rank : number(env, LOCAL_RANK, 0, worldSize - 1);
    String addr = env.getOrDefault(MASTER_ADDR, "127.0.0.1");
    if (addr.isBlank()) throw new IllegalArgumentException("environment variable " + MASTER_ADDR + " is empty");
    int port = env.get(MASTER_PORT) == null ? 29500 : number(env, MASTER_PORT, 1, 65535);
    return Optional.of(new WorkerEnvironment(addr, port, rank, localRank, worldSize));
  }

  private static int number(Map<String, String> env, String name, int min, int max) {
    String text = env.get(name);
    if (text == null) throw new IllegalArgumentException("environment variable " + name + " is not set ("
        + WORLD_SIZE + " is, so this process is a data-parallel worker and needs it)");
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= min && value <= max) return value;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("environment variable " + name + "=" + text + ": expected an integer in ["
        + min + ", " + max + "]");
  }
}
