// All-reduce bandwidth of Fidelio's c10d process group (Gloo over loopback): forks world_size - 1
// children, every process joins the group through the C ABI and all-reduces float64 buffers of
// several sizes; rank 0 prints the median time, algorithm bandwidth (bytes / time) and bus
// bandwidth (algbw * 2 (n - 1) / n, the NCCL-tests convention for ring all-reduce).
// Usage: fidelio_allreduce_driver [world_size=2] [repetitions=10]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "fidelio.h"

static int run_rank(int rank, int world, int port, int repetitions) {
  char err[1024];
  fdl_process_group* group = nullptr;
  if (fdl_process_group_new("127.0.0.1", port, rank, world, FDL_DIST_BACKEND_GLOO, 60000, &group, err, sizeof err)) {
    std::fprintf(stderr, "rank %d: %s\n", rank, err);
    return 1;
  }
  if (rank == 0) std::printf("| MiB | median ms | algbw GB/s | busbw GB/s |\n|---|---|---|---|\n");
  for (size_t mib : {1, 4, 16, 64}) {
    std::vector<double> values(mib * (1 << 20) / sizeof(double), 1.0);
    std::vector<double> seconds;
    for (int i = 0; i <= repetitions; ++i) {
      auto start = std::chrono::steady_clock::now();
      if (fdl_process_group_all_reduce_sum(group, values.data(), static_cast<int32_t>(values.size()), err, sizeof err)) {
        std::fprintf(stderr, "rank %d: %s\n", rank, err);
        return 1;
      }
      if (i > 0) seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    double median = seconds[seconds.size() / 2];
    double algbw = mib * double(1 << 20) / median / 1e9;
    if (rank == 0) {
      std::printf("| %zu | %.2f | %.2f | %.2f |\n", mib, median * 1e3, algbw, algbw * 2.0 * (world - 1) / world);
    }
  }
  fdl_process_group_free(group);
  return 0;
}

int main(int argc, char** argv) {
  int world = argc > 1 ? std::atoi(argv[1]) : 2;
  int repetitions = argc > 2 ? std::atoi(argv[2]) : 10;
  int port = 20000 + static_cast<int>(getpid() % 20000);
  std::vector<pid_t> children;
  for (int rank = 1; rank < world; ++rank) {
    pid_t pid = fork();
    if (pid == 0) return run_rank(rank, world, port, repetitions);
    children.push_back(pid);
  }
  int status = run_rank(0, world, port, repetitions);
  for (pid_t child : children) {
    int child_status = 0;
    waitpid(child, &child_status, 0);
    if (!WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0) status = 1;
  }
  return status;
}
