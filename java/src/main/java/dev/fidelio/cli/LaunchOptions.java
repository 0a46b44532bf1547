package dev.fidelio.cli;

import dev.fidelio.distributed.Workers;
import picocli.CommandLine.Option;

/** torchrun's flags: train and experiment start data-parallel workers with them. */
final class LaunchOptions {
  @Option(names = "--nproc_per_node", description = "workers on this machine (default: backend.trainer.num_workers)")
  Integer nprocPerNode;

  @Option(names = "--nnodes", defaultValue = "1", description = "machines taking part (default: ${DEFAULT-VALUE})")
  int nnodes;

  @Option(names = "--node_rank", defaultValue = "0", description = "this machine's index (default: ${DEFAULT-VALUE})")
  int nodeRank;

  @Option(names = "--master_addr", defaultValue = "127.0.0.1",
      description = "address of node 0, which hosts the rendezvous (default: ${DEFAULT-VALUE})")
  String masterAddr;

  @Option(names = "--master_port", defaultValue = "0",
      description = "rendezvous port (default: a free one; needed with --nnodes > 1)")
  int masterPort;

  @Option(names = "--timeout_s", description = "collective timeout in seconds (default: 300)")
  Double timeoutSeconds;

  Launcher.Options options(int workers) {
    double timeout = timeoutSeconds != null ? timeoutSeconds : Workers.DEFAULT_TIMEOUT.toSeconds();
    return new Launcher.Options(workers, nnodes, nodeRank, masterAddr, masterPort, timeout);
  }
}
