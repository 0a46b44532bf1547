// Data-parallel gradient synchronisation for one model, called from inside the train step
// between backward and the optimizer step. Gradients travel in buckets (flat tensors of at most
// bucket_bytes, as in torch DDP), each rank's gradient weighted by its share of the global batch
// so that uneven last batches still give the single-process mean.
//  - Ddp: every bucket is all-reduced; every rank then updates every parameter.
//  - Zero1 (ZeRO stage 1, as torch's ZeroRedundancyOptimizer partitions): each parameter has one
//    owner rank (largest first to the least-loaded rank); gradients are reduced to their owner only,
//    only the owner keeps optimizer state for it and updates it, then owners broadcast the new
//    values (reduce-scatter + all-gather, per parameter shard).
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "distributed/process_group.h"

namespace fdl {

enum class Strategy { Ddp = 0, Zero1 = 1 };

class DataParallel {
 public:
  DataParallel(std::shared_ptr<ProcessGroup> group, std::vector<at::Tensor> params, Strategy strategy,
               int64_t bucket_bytes);

  // This rank's rows divided by the global batch's rows, for the next reduce_gradients.
  void set_share(double share);
  // Sums share-weighted gradients across ranks; afterwards a parameter has a gradient on this rank
  // exactly when this rank updates it (all for Ddp, the owned ones for Zero1).
  void reduce_gradients();
  // Clips the global L2 norm of the reduced gradients (across shards for Zero1) to max_norm.
  void clip_global_norm(double max_norm);
  // Zero1: each owner broadcasts its updated parameters. Ddp: nothing to do.
  void gather_parameters();

  // The parameters this rank's optimizer must hold state for.
  const std::vector<at::Tensor>& updated_parameters() const { return updated_; }
  Strategy strategy() const { return strategy_; }
  int64_t updated_bytes() const;
  int64_t total_bytes() const;

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into params_
    int owner;                   // -1: every rank (Ddp)
  };
  void add_buckets(const std::vector<size_t>& indices, int owner, int64_t bucket_bytes);
  at::Tensor flat_gradients(const Bucket& bucket) const;

  std::shared_ptr<ProcessGroup> group_;
  std::vector<at::Tensor> params_;
  Strategy strategy_;
  std::vector<Bucket> buckets_;
  std::vector<at::Tensor> updated_;
  double share_ = 1.0;
};

// Overwrites every tensor with root's values (grouped by dtype into one flat broadcast each).
void broadcast_tensors(ProcessGroup& group, const std::vector<at::Tensor>& tensors, int root);

}  // namespace fdl
