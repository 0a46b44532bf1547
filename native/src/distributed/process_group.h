// A c10d process group for data-parallel training: rendezvous through a c10d::TCPStore hosted by
// rank 0, Gloo on CPU (NCCL on CUDA where LibTorch was built with it), and collectives that never
// wait longer than the group's timeout. A failed or timed-out collective names the rank that
// stopped: every rank beats a counter in the store, and the failing rank looks for the one whose
// counter stood still (or that lags behind in collectives: alive but stuck elsewhere).
#pragma once

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "distributed/collective_backend.h"

namespace fdl {

struct ProcessGroupOptions {
  std::string master_addr;
  int port = 29500;
  int rank = 0;
  int world_size = 1;
  bool nccl = false;  // else Gloo
  std::chrono::milliseconds timeout{60000};
};

class ProcessGroup {
 public:
  explicit ProcessGroup(const ProcessGroupOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }
  std::chrono::milliseconds timeout() const { return options_.timeout; }

  void broadcast(std::vector<at::Tensor>& tensors, int root);
  void all_reduce_sum(std::vector<at::Tensor>& tensors);
  // Sums tensor into root's copy; the others' copies are left undefined by c10d.
  void reduce_sum(at::Tensor& tensor, int root);
  void barrier();

 private:
  using Start = std::function<c10::intrusive_ptr<c10d::Work>(CollectiveBackend&)>;
  // Starts a collective and waits for it; failures and timeouts become a Failure naming the rank.
  void run(const std::string& what, const Start& start);
  // Which ranks stopped beating or lag behind this one; "" when none could be found.
  std::string diagnose();
  // Waits for a Gloo collective; returns which rank stopped when the heartbeats end the wait early.
  std::string await(c10d::Work& work);
  void beat();
  c10::intrusive_ptr<c10d::Store> client(std::chrono::milliseconds timeout) const;

  ProcessGroupOptions options_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<CollectiveBackend> backend_;
  std::atomic<int64_t> collectives_{0};
  std::mutex beat_mutex_;
  std::condition_variable beat_stop_;
  bool stopping_ = false;
  bool abandoned_ = false;  // a collective is still in flight after a peer stopped
  std::thread heartbeat_;
};

}  // namespace fdl
