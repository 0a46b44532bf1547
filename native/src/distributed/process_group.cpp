#include "distributed/process_group.h"

#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "core/failure.h"
#include "distributed/process_group_factory.h"

namespace fdl {
namespace {

constexpr std::chrono::milliseconds kBeatPeriod{500};
// A rank whose beat counter does not move over this many periods is taken as stopped.
constexpr int kStoppedAfterPeriods = 4;

std::string beat_key(int rank) { return "fidelio/beat/" + std::to_string(rank); }

// "beats collectives" of a rank, as the heartbeat thread last wrote them.
std::pair<int64_t, int64_t> read_beat(c10d::Store& store, int rank) {
  auto bytes = store.get(beat_key(rank));
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  int64_t beats = 0, collectives = 0;
  in >> beats >> collectives;
  return {beats, collectives};
}

void write_beat(c10d::Store& store, int rank, int64_t beats, int64_t collectives) {
  std::string value = std::to_string(beats) + " " + std::to_string(collectives);
  store.set(beat_key(rank), std::vector<uint8_t>(value.begin(), value.end()));
}

std::string message_of(const std::exception& e) {
  if (auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}

}  // namespace

ProcessGroup::ProcessGroup(const ProcessGroupOptions& options) : options_(options) {
  const auto& o = options_;
  require(o.world_size >= 1, "world size must be >= 1, got " + std::to_string(o.world_size));
  require(o.rank >= 0 && o.rank < o.world_size,
          "rank " + std::to_string(o.rank) + " outside [0, " + std::to_string(o.world_size) + ")");
  require(o.port > 0 && o.port < 65536, "master port must lie in [1, 65535], got " + std::to_string(o.port));
  require(!o.master_addr.empty(), "master address is empty");
  require(o.timeout.count() > 0, "timeout must be positive");
  std::string where = o.master_addr + ":" + std::to_string(o.port);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(o.port);
    store_options.isServer = o.rank == 0;
    store_options.numWorkers = o.world_size;
    store_options.waitWorkers = true;
    store_options.timeout = o.timeout;
    store_ = c10::make_intrusive<c10d::TCPStore>(o.master_addr, store_options);
    write_beat(*store_, o.rank, 0, 0);
    backend_ = make_collective_backend(c10::make_intrusive<c10d::PrefixStore>("c10d", store_), o);
  } catch (const Failure&) {
    throw;
  } catch (const std::exception& e) {
    fail(FDL_ERR_TORCH, "rendezvous of " + std::to_string(o.world_size) + " ranks at " + where + " failed on rank " +
                            std::to_string(o.rank) + " within the timeout of " +
                            std::to_string(o.timeout.count() / 1000.0) + " s: " + message_of(e));
  }
  heartbeat_ = std::thread([this] { beat(); });
}

ProcessGroup::~ProcessGroup() {
  // Gloo cannot cancel a collective in flight: destroying its backend would join threads that stay
  // blocked until Gloo's own timeout, so a group abandoned mid-collective is left to the process exit.
  if (abandoned_) (void)backend_.release();
  {
    std::lock_guard<std::mutex> lock(beat_mutex_);
    stopping_ = true;
  }
  beat_stop_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

c10::intrusive_ptr<c10d::Store> ProcessGroup::client(std::chrono::milliseconds timeout) const {
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<uint16_t>(options_.port);
  store_options.waitWorkers = false;
  store_options.timeout = timeout;
  return c10::make_intrusive<c10d::TCPStore>(options_.master_addr, store_options);
}

// Runs on its own thread with its own store connection; ends quietly when the store is gone.
void ProcessGroup::beat() {
  try {
    auto store = client(options_.timeout);
    std::unique_lock<std::mutex> lock(beat_mutex_);
    for (int64_t beats = 1; !stopping_; ++beats) {
      write_beat(*store, options_.rank, beats, collectives_.load());
      beat_stop_.wait_for(lock, kBeatPeriod, [this] { return stopping_; });
    }
  } catch (...) {
    // The store's host (rank 0) went away: the next collective fails and says so.
  }
}

std::string ProcessGroup::diagnose() {
  try {
    auto store = client(std::chrono::milliseconds(2000));
    int n = options_.world_size;
    std::vector<std::pair<int64_t, int64_t>> before, after;
    for (int r = 0; r < n; ++r) before.push_back(read_beat(*store, r));
    std::this_thread::sleep_for(kBeatPeriod * kStoppedAfterPeriods);
    for (int r = 0; r < n; ++r) after.push_back(read_beat(*store, r));
    std::string stopped, lagging;
    int64_t mine = collectives_.load();
    for (int r = 0; r < n; ++r) {
      if (r == options_.rank) continue;
      if (after[r].first == before[r].first) {
        stopped += (stopped.empty() ? "rank " : ", rank ") + std::to_string(r);
      } else if (after[r].second < mine) {
        lagging += (lagging.empty() ? "rank " : ", rank ") + std::to_string(r) + " (at collective " +
                   std::to_string(after[r].second) + ")";
      }
    }
    double silent = (kBeatPeriod * kStoppedAfterPeriods).count() / 1000.0;
    if (!stopped.empty()) {
      return stopped + " stopped (no heartbeat for " + std::to_string(silent).substr(0, 3) +
             " s: killed, crashed or suspended)";
    }
    if (!lagging.empty()) {
      return lagging + " is alive but did not reach this collective (this rank is at collective " +
             std::to_string(mine) + ")";
    }
    return "";
  } catch (const std::exception&) {
    if (options_.rank == 0) return "";
    return "rank 0 stopped (the rendezvous store it hosts at " + options_.master_addr + ":" +
           std::to_string(options_.port) + " is unreachable)";
  }
}

void ProcessGroup::run(const std::string& what, const Start& start) {
  ++collectives_;
  std::string failed = what + " failed on rank " + std::to_string(options_.rank) + " of " +
                       std::to_string(options_.world_size);
  std::string timeout = std::to_string(options_.timeout.count() / 1000.0).substr(0, 5) + " s";
  c10::intrusive_ptr<c10d::Work> work;
  std::string stopped;
  try {
    work = start(*backend_);
    if (options_.nccl) {
      work->wait(options_.timeout);
    } else {
      stopped = await(*work);
    }
  } catch (const std::exception& e) {
    abandoned_ = work && !work->isCompleted();
    std::string cause = diagnose();
    fail(FDL_ERR_TORCH, failed + (cause.empty() ? "" : ": " + cause) + " (timeout " + timeout + "; c10d: " +
                            message_of(e) + ")");
  }
  if (stopped.empty()) return;
  abandoned_ = true;
  fail(FDL_ERR_TORCH, failed + ": " + stopped + " (stopped waiting before the " + timeout + " timeout)");
}

// Gloo notices a dead peer only when its socket reports an error, which a collective blocked in a
// send or a receive may not see before the timeout. Waiting in slices lets the heartbeats end the
// wait early: a peer whose counter stood still for stale_after is gone (killed, crashed, suspended).
std::string ProcessGroup::await(c10d::Work& work) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + options_.timeout;
  auto stale_after = std::clamp<std::chrono::milliseconds>(options_.timeout / 4, kBeatPeriod * kStoppedAfterPeriods,
                                                           std::chrono::milliseconds(10000));
  c10::intrusive_ptr<c10d::Store> watch;
  std::vector<std::pair<int64_t, Clock::time_point>> last_beat(options_.world_size, {-1, Clock::now()});
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    try {
      work.wait(std::max(std::chrono::milliseconds(1), std::min(left, kBeatPeriod)));
      return "";
    } catch (const std::exception&) {
      // A finished collective rethrows its own failure; an unfinished one past the deadline is a timeout.
      if (work.isCompleted() || Clock::now() >= deadline) throw;
    }
    if (!watch) watch = client(std::chrono::milliseconds(2000));
    auto now = Clock::now();
    for (int r = 0; r < options_.world_size; ++r) {
      if (r == options_.rank) continue;
      int64_t beats = read_beat(*watch, r).first;
      if (beats != last_beat[r].first) {
        last_beat[r] = {beats, now};
      } else if (now - last_beat[r].second >= stale_after) {
        auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_beat[r].second);
        return "rank " + std::to_string(r) + " stopped (no heartbeat for " +
               std::to_string(silent.count() / 1000.0).substr(0, 3) + " s: killed, crashed or suspended)";
      }
    }
  }
}

void ProcessGroup::broadcast(std::vector<at::Tensor>& tensors, int root) {
  c10d::BroadcastOptions o;
  o.rootRank = root;
  run("broadcast", [&](CollectiveBackend& b) { return b.broadcast(tensors, o); });
}

void ProcessGroup::all_reduce_sum(std::vector<at::Tensor>& tensors) {
  run("all_reduce", [&](CollectiveBackend& b) { return b.allreduce(tensors); });
}

void ProcessGroup::reduce_sum(at::Tensor& tensor, int root) {
  c10d::ReduceOptions o;
  o.rootRank = root;
  std::vector<at::Tensor> tensors{tensor};
  run("reduce", [&](CollectiveBackend& b) { return b.reduce(tensors, o); });
}

void ProcessGroup::barrier() {
  run("barrier", [&](CollectiveBackend& b) { return b.barrier(); });
}

}  // namespace fdl
