package dev.fidelio.cli;

import dev.fidelio.distributed.WorkerEnvironment;
import dev.fidelio.distributed.Workers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * `fidelio train --nproc_per_node N`: starts N worker JVMs on this machine with torchrun's
 * environment (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK), prefixes their output with
 * their rank, and watches them as torchrun's agent does: when one fails, the others get the
 * collective timeout (plus a grace period) to stop on their own, then are killed; the launcher
 * exits non-zero naming the first rank that failed.
 */
public final class Launcher {
  /** torchrun's flags; masterPort 0 picks a free port (one machine only). */
  public record Options(int nprocPerNode, int nnodes, int nodeRank, String masterAddr, int masterPort,
                        double timeoutSeconds) {
    public Options {
      if (nprocPerNode < 1) throw new IllegalArgumentException("--nproc_per_node must be >= 1, got " + nprocPerNode);
      if (nnodes < 1) throw new IllegalArgumentException("--nnodes must be >= 1, got " + nnodes);
      if (nodeRank < 0 || nodeRank >= nnodes) {
        throw new IllegalArgumentException("--node_rank must lie in [0, " + nnodes + "), got " + nodeRank);
      }
      if (nnodes > 1 && masterPort == 0) {
        throw new IllegalArgumentException("--master_port is needed with --nnodes > 1 (every node must use the same)");
      }
      if (!(timeoutSeconds > 0)) throw new IllegalArgumentException("--timeout_s must be > 0, got " + timeoutSeconds);
    }
  }

  private static final long GRACE_MILLIS = 10_000;

  private Launcher() {}

  /** Runs the workers with cliArgs (the same command line) and returns the exit status. */
  public static int run(Options o, List<String> cliArgs, PrintStream out) {
    int port = o.masterPort() == 0 ? freePort() : o.masterPort();
    int worldSize = o.nprocPerNode() * o.nnodes();
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / o.nprocPerNode());
    out.println("fidelio: starting " + o.nprocPerNode() + " workers (ranks " + o.nodeRank() * o.nprocPerNode()
        + ".." + ((o.nodeRank() + 1) * o.nprocPerNode() - 1) + " of " + worldSize + "), rendezvous at "
        + o.masterAddr() + ":" + port + ", " + threads + " intra-op threads each, collective timeout "
        + o.timeoutSeconds() + " s");
    List<Process> workers = new ArrayList<>();
    List<Thread> pumps = new ArrayList<>();
    Thread cleanup = new Thread(() -> workers.forEach(Process::destroyForcibly));
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      for (int local = 0; local < o.nprocPerNode(); local++) {
        int rank = o.nodeRank() * o.nprocPerNode() + local;
        ProcessBuilder builder = new ProcessBuilder(workerCommand(cliArgs)).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put(WorkerEnvironment.MASTER_ADDR, o.masterAddr());
        env.put(WorkerEnvironment.MASTER_PORT, Integer.toString(port));
        env.put(WorkerEnvironment.WORLD_SIZE, Integer.toString(worldSize));
        env.put(WorkerEnvironment.RANK, Integer.toString(rank));
        env.put(WorkerEnvironment.LOCAL_RANK, Integer.toString(local));
        env.put(Workers.TIMEOUT_VARIABLE, Double.toString(o.timeoutSeconds()));
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        Process worker = start(builder);
        workers.add(worker);
        out.println("fidelio: rank " + rank + " started (pid " + worker.pid() + ")");
        pumps.add(Thread.ofVirtual().start(() -> pump(worker, "[rank " + rank + "] ", out)));
      }
      String failure = watch(workers, o, out);
      for (Thread pump : pumps) pump.join();
      if (failure != null) {
        out.println("fidelio: " + failure);
        return 1;
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.forEach(Process::destroyForcibly);
      return 1;
    } finally {
      workers.forEach(Process::destroyForcibly);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // the JVM is shutting down already; the hook kills the workers
      }
    }
  }

  /** Waits for every worker; returns the first failure, or null when all succeeded. */
  private static String watch(List<Process> workers, Options o, PrintStream out) throws InterruptedException {
    String failure = null;
    long killAt = Long.MAX_VALUE;
    boolean[] done = new boolean[workers.size()];
    int remaining = workers.size();
    while (remaining > 0) {
      for (int i = 0; i < workers.size(); i++) {
        Process p = workers.get(i);
        if (done[i] || p.isAlive()) continue;
        done[i] = true;
        remaining--;
        int status = p.exitValue();
        int rank = o.nodeRank() * o.nprocPerNode() + i;
        if (status != 0 && failure == null) {
          failure = "worker rank " + rank + " (pid " + p.pid() + ") " + describe(status) + "; the run failed";
          killAt = System.currentTimeMillis() + Math.round(o.timeoutSeconds() * 1000) + GRACE_MILLIS;
          out.println("fidelio: rank " + rank + " " + describe(status) + "; the other workers stop within the "
              + "collective timeout (" + o.timeoutSeconds() + " s)");
        }
      }
      if (remaining > 0 && System.currentTimeMillis() > killAt) {
        out.println("fidelio: killing the workers still running after the timeout");
        workers.forEach(Process::destroyForcibly);
        killAt = Long.MAX_VALUE;
      }
      Thread.sleep(100);
    }
    return failure;
  }

  static String describe(int status) {
    if (status > 128 && status <= 128 + 64) {
      int signal = status - 128;
      String name = switch (signal) {
        case 9 -> " (SIGKILL)";
        case 15 -> " (SIGTERM)";
        case 6 -> " (SIGABRT)";
        case 11 -> " (SIGSEGV)";
        default -> "";
      };
      return "was killed by signal " + signal + name;
    }
    return "exited with status " + status;
  }

  /** This JVM again (its options, the fidelio.* and ai.djl.* properties, its class path), running the CLI. */
  static List<String> workerCommand(List<String> cliArgs) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + "/bin/java"));
    for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!option.startsWith("-agentlib:jdwp")) command.add(option);
    }
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("fidelio.") || name.startsWith("ai.djl.")) {
        String option = "-D" + name + "=" + System.getProperty(name);
        if (!command.contains(option)) command.add(option);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(FidelioCli.class.getName());
    command.addAll(cliArgs);
    return command;
  }

  private static Process start(ProcessBuilder builder) {
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a worker (" + builder.command().getFirst() + "): " + e.getMessage(), e);
    }
  }

  private static void pump(Process worker, String prefix, PrintStream out) {
    try (var in = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) out.println(prefix + line);
    } catch (IOException e) {
      // the worker is gone; its exit status says why
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port for the rendezvous: " + e.getMessage(), e);
    }
  }
}
