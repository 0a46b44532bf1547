// trainer.compile on CUDA: the whole train step (forward, loss, backward, clipping, optimizer) is
// captured as one CUDA graph per input shape and replayed with the batch copied into the graph's
// static input buffers. The shapes stay few because text inputs are padded to length buckets
// (EcdModelImpl::pad_to_buckets). A shape first runs a few eager warm-up steps on a side stream
// (cuBLAS workspaces, autograd and allocator state settle), then is captured; shapes beyond the
// graph limit run eager. Only a CUDA build of LibTorch has graphs: elsewhere construction fails
// with the reason, and the caller keeps the eager step.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fdl {

class CapturedTrainStep {
 public:
  // One whole update on x, y (already on the device); returns the loss, a 0-dim float tensor.
  // It must read no device value on the host, and must leave the gradients it made defined.
  using Body = std::function<at::Tensor(const std::vector<at::Tensor>& x, const std::vector<at::Tensor>& y)>;

  // Throws a Failure naming why capture is impossible (no CUDA in this LibTorch build).
  explicit CapturedTrainStep(int64_t max_graphs = 8, int64_t warmup_steps = 3);
  ~CapturedTrainStep();

  struct Outcome {
    at::Tensor loss;
    bool replayed_only;  // the graph ran alone: host code of body (counters) did not
  };
  // Runs one update through the graph of x's and y's shapes (warming up or capturing it first),
  // or eagerly when the graph limit is reached. zero_grads drops the gradients (set to none).
  Outcome run(const std::vector<at::Tensor>& x, const std::vector<at::Tensor>& y, const Body& body,
              const std::function<void()>& zero_grads);

  int64_t graphs() const;
  int64_t replays() const { return replays_; }
  int64_t eager_steps() const { return eager_steps_; }

 private:
  struct Graphs;
  std::unique_ptr<Graphs> graphs_;
  int64_t max_graphs_, warmup_steps_;
  int64_t replays_ = 0, eager_steps_ = 0;
};

}  // namespace fdl
