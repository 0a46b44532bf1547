#include "ecd/cuda_graph_step.h"

#include <map>
#include <utility>

#include "core/failure.h"
#include "core/tensor_checks.h"

#ifdef FIDELIO_WITH_CUDA
#include <ATen/autocast_mode.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace fdl {

#ifdef FIDELIO_WITH_CUDA

namespace {

// "float[32, 128];long[32]|long[32]": one graph per distinct key.
std::string shape_key(const std::vector<at::Tensor>& x, const std::vector<at::Tensor>& y) {
  std::string key;
  for (const auto* list : {&x, &y}) {
    for (const auto& t : *list) key += std::string(c10::toString(t.scalar_type())) + shape_string(t.sizes()) + ";";
    key += "|";
  }
  return key;
}

std::vector<at::Tensor> static_copies(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> copies;
  for (const auto& t : tensors) copies.push_back(t.clone());
  return copies;
}

void copy_into(std::vector<at::Tensor>& statics, const std::vector<at::Tensor>& values) {
  for (size_t i = 0; i < statics.size(); ++i) statics[i].copy_(values[i], /*non_blocking=*/true);
}

// The autocast cache holds weight casts made inside a capture, which a replay would not remake:
// capture requires it off (as torch.cuda.graphs documents), and warm-up runs the same way.
class AutocastCacheOff {
 public:
  AutocastCacheOff() : was_(at::autocast::is_autocast_cache_enabled()) { at::autocast::set_autocast_cache_enabled(false); }
  ~AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(was_); }

 private:
  bool was_;
};

}  // namespace

struct CapturedTrainStep::Graphs {
  struct Entry {
    int64_t warmups = 0;
    std::vector<at::Tensor> x, y;  // the graph's static inputs
    at::Tensor loss;               // its static output
    std::unique_ptr<at::cuda::CUDAGraph> graph;
  };
  std::map<std::string, Entry> by_shape;
  // The graphs' memory pool id (its type moved between LibTorch versions), shared: replays never
  // overlap and their outputs are read at once.
  decltype(std::declval<at::cuda::CUDAGraph&>().pool()) pool{0, 0};
};

CapturedTrainStep::CapturedTrainStep(int64_t max_graphs, int64_t warmup_steps)
    : graphs_(std::make_unique<Graphs>()), max_graphs_(max_graphs), warmup_steps_(warmup_steps) {}

CapturedTrainStep::~CapturedTrainStep() = default;

int64_t CapturedTrainStep::graphs() const {
  int64_t n = 0;
  for (const auto& [key, entry] : graphs_->by_shape) n += entry.graph ? 1 : 0;
  return n;
}

CapturedTrainStep::Outcome CapturedTrainStep::run(const std::vector<at::Tensor>& x, const std::vector<at::Tensor>& y,
                                  const Body& body, const std::function<void()>& zero_grads) {
  std::string key = shape_key(x, y);
  auto found = graphs_->by_shape.find(key);
  if (found == graphs_->by_shape.end()) {
    if (static_cast<int64_t>(graphs_->by_shape.size()) >= max_graphs_) {
      ++eager_steps_;
      zero_grads();
      return {body(x, y), false};
    }
    found = graphs_->by_shape.emplace(key, Graphs::Entry{}).first;
  }
  Graphs::Entry& entry = found->second;
  if (entry.graph) {
    copy_into(entry.x, x);
    copy_into(entry.y, y);
    entry.graph->replay();
    ++replays_;
    return {entry.loss, true};
  }
  AutocastCacheOff autocast_cache_off;
  // Warm-up and capture run on a side stream: capture cannot use the default stream, and warm-up
  // there keeps its one-time allocations out of the default stream's pool.
  c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool();
  c10::cuda::device_synchronize();
  at::Tensor loss;
  {
    c10::cuda::CUDAStreamGuard on_side(side);
    if (entry.warmups < warmup_steps_) {
      ++entry.warmups;
      ++eager_steps_;
      zero_grads();
      loss = body(x, y);
    } else {
      entry.x = static_copies(x);
      entry.y = static_copies(y);
      // Gradients are made inside the graph (from its pool), so a replay writes them afresh.
      zero_grads();
      entry.graph = std::make_unique<at::cuda::CUDAGraph>();
      entry.graph->capture_begin(graphs_->pool);
      entry.loss = body(entry.x, entry.y);
      entry.graph->capture_end();
      if (graphs_->pool.first == 0 && graphs_->pool.second == 0) graphs_->pool = entry.graph->pool();
      // Capturing recorded the step without running it: this batch's update is the first replay.
      entry.graph->replay();
      ++replays_;
      loss = entry.loss;
    }
  }
  side.synchronize();
  return {loss, false};
}

#else  // no CUDA in this LibTorch build

struct CapturedTrainStep::Graphs {};

CapturedTrainStep::CapturedTrainStep(int64_t max_graphs, int64_t warmup_steps)
    : max_graphs_(max_graphs), warmup_steps_(warmup_steps) {
  fail(FDL_ERR_UNSUPPORTED, "this LibTorch build has no CUDA, so no CUDA graphs");
}

CapturedTrainStep::~CapturedTrainStep() = default;

int64_t CapturedTrainStep::graphs() const { return 0; }

CapturedTrainStep::Outcome CapturedTrainStep::run(const std::vector<at::Tensor>& x, const std::vector<at::Tensor>& y,
                                  const Body& body, const std::function<void()>& zero_grads) {
  zero_grads();
  return {body(x, y), false};
}

#endif

}  // namespace fdl
