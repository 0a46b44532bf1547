// The c10d process group through the C ABI, with real processes: every scenario forks rank 0 and
// rank 1 (the parent never touches LibTorch, so forking is safe) and rank 0 checks the outcome.
// Collectives give the right values; a rank that is alive but never reaches a collective, and a
// suspended rank (SIGSTOP), make rank 0 fail within the timeout with a message naming rank 1.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <string>

#include "check.h"
#include "fidelio.h"

namespace {

char err[2048];

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

fdl_process_group* join(int port, int rank, int64_t timeout_ms) {
  fdl_process_group* group = nullptr;
  int32_t rc = fdl_process_group_new("127.0.0.1", port, rank, 2, FDL_DIST_BACKEND_GLOO, timeout_ms, &group, err,
                                     sizeof err);
  EXPECT(rc == FDL_OK, "rank %d join: %s", rank, err);
  return group;
}

// Runs rank(0) and rank(1) in two child processes; true when both exit 0 (rank 1 may be killed
// by the scenario: only rank 0's status counts when rank1_may_die).
bool scenario(const char* name, const std::function<int(int, int)>& rank, bool rank1_may_die) {
  int port = free_port();
  pid_t ranks[2];
  std::fflush(nullptr);  // children must not print the parent's buffered lines again
  for (int r = 0; r < 2; ++r) {
    ranks[r] = fork();
    if (ranks[r] == 0) {
      int failures = rank(r, port);
      std::fflush(nullptr);  // _exit skips stdio's buffers
      _exit(failures);
    }
  }
  int status0 = 0, status1 = 0;
  waitpid(ranks[0], &status0, 0);
  if (rank1_may_die) kill(ranks[1], SIGKILL);
  waitpid(ranks[1], &status1, 0);
  bool ok = WIFEXITED(status0) && WEXITSTATUS(status0) == 0 &&
            (rank1_may_die || (WIFEXITED(status1) && WEXITSTATUS(status1) == 0));
  std::printf("%s: %s\n", name, ok ? "ok" : "FAILED");
  return ok;
}

int collectives(int rank, int port) {
  fdl_process_group* group = join(port, rank, 20000);
  double values[2] = {rank + 1.0, 10.0 * (rank + 1)};
  EXPECT(fdl_process_group_all_reduce_sum(group, values, 2, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(values[0] == 3 && values[1] == 30, "rank %d: sum %g %g", rank, values[0], values[1]);
  double mine[1] = {rank == 1 ? 7.5 : -1.0};
  EXPECT(fdl_process_group_broadcast(group, mine, 1, 1, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(mine[0] == 7.5, "rank %d: broadcast %g", rank, mine[0]);
  EXPECT(fdl_process_group_barrier(group, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(fdl_process_group_broadcast(group, mine, 1, 2, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT, "root 2");
  fdl_process_group_free(group);
  return expect_failures;
}

// Rank 1 joins, then stays busy elsewhere (its heartbeat goes on) for longer than the timeout.
int alive_but_absent(int rank, int port) {
  fdl_process_group* group = join(port, rank, 2000);
  if (rank == 1) {
    sleep(8);
    return 0;
  }
  auto start = std::chrono::steady_clock::now();
  double values[1] = {1};
  int32_t rc = fdl_process_group_all_reduce_sum(group, values, 1, err, sizeof err);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT(rc != FDL_OK, "the all-reduce without rank 1 succeeded");
  EXPECT(std::strstr(err, "rank 1 (at collective 0) is alive but did not reach this collective") != nullptr, "%s", err);
  EXPECT(seconds < 2 + 2 + 2, "took %.1f s for a 2 s timeout", seconds);
  std::printf("alive but absent, %.1f s: %s\n", seconds, err);
  return expect_failures;
}

// Rank 1 suspends itself after joining: no heartbeat, no collective.
int suspended(int rank, int port) {
  fdl_process_group* group = join(port, rank, 2000);
  if (rank == 1) {
    raise(SIGSTOP);
    return 0;
  }
  double values[1] = {1};
  int32_t rc = fdl_process_group_all_reduce_sum(group, values, 1, err, sizeof err);
  EXPECT(rc != FDL_OK, "the all-reduce with a suspended rank 1 succeeded");
  EXPECT(std::strstr(err, "rank 1 stopped (no heartbeat") != nullptr, "%s", err);
  std::printf("suspended: %s\n", err);
  return expect_failures;
}

// Rank 1 suspends itself under a long timeout: rank 0 stops waiting once the heartbeat stands
// still (a quarter of the timeout), and freeing the group does not wait for Gloo's own timeout.
int stopped_long_before_the_timeout(int rank, int port) {
  fdl_process_group* group = join(port, rank, 30000);
  if (rank == 1) {
    raise(SIGSTOP);
    return 0;
  }
  auto start = std::chrono::steady_clock::now();
  double values[1] = {1};
  int32_t rc = fdl_process_group_all_reduce_sum(group, values, 1, err, sizeof err);
  fdl_process_group_free(group);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT(rc != FDL_OK, "the all-reduce with a suspended rank 1 succeeded");
  EXPECT(std::strstr(err, "rank 1 stopped (no heartbeat") != nullptr, "%s", err);
  EXPECT(std::strstr(err, "stopped waiting before the 30.00 s timeout") != nullptr, "%s", err);
  EXPECT(seconds < 15, "took %.1f s for a 30 s timeout", seconds);
  std::printf("stopped long before the timeout, %.1f s: %s\n", seconds, err);
  return expect_failures;
}

void invalid_arguments() {
  fdl_process_group* group = nullptr;
  EXPECT(fdl_process_group_new("127.0.0.1", 29500, 2, 2, FDL_DIST_BACKEND_GLOO, 1000, &group, err, sizeof err) ==
             FDL_ERR_INVALID_ARGUMENT && std::strstr(err, "rank 2 outside [0, 2)") != nullptr, "%s", err);
  EXPECT(fdl_process_group_new("127.0.0.1", 29500, 0, 1, 7, 1000, &group, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT,
         "backend 7");
  EXPECT(fdl_process_group_barrier(nullptr, err, sizeof err) == FDL_ERR_INVALID_HANDLE, "NULL group");
}

}  // namespace

int main() {
  EXPECT(scenario("collectives", collectives, false), "collectives");
  EXPECT(scenario("alive but absent", alive_but_absent, true), "alive but absent");
  EXPECT(scenario("suspended", suspended, true), "suspended");
  EXPECT(scenario("stopped long before the timeout", stopped_long_before_the_timeout, true), "stopped early");
  invalid_arguments();
  EXPECT_REPORT();
}
