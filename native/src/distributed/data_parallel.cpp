#include "distributed/data_parallel.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/failure.h"

namespace fdl {
namespace {

int64_t bytes_of(const at::Tensor& t) { return t.numel() * static_cast<int64_t>(t.element_size()); }

// Copies consecutive slices of flat back into tensors (same order, same total size).
void unflatten_into(const at::Tensor& flat, const std::vector<at::Tensor>& tensors) {
  int64_t offset = 0;
  for (const auto& t : tensors) {
    t.copy_(flat.narrow(0, offset, t.numel()).view_as(t));
    offset += t.numel();
  }
}

at::Tensor flatten(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> flat;
  for (const auto& t : tensors) flat.push_back(t.reshape(-1));
  return at::cat(flat);
}

}  // namespace

DataParallel::DataParallel(std::shared_ptr<ProcessGroup> group, std::vector<at::Tensor> params, Strategy strategy,
                           int64_t bucket_bytes)
    : group_(std::move(group)), params_(std::move(params)), strategy_(strategy) {
  require(bucket_bytes > 0, "bucket size must be positive, got " + std::to_string(bucket_bytes));
  require(!params_.empty(), "the model has no trainable parameters to synchronise");
  std::vector<size_t> order(params_.size());
  std::iota(order.begin(), order.end(), 0);
  // Backward produces the last layers' gradients first (DDP buckets in reverse order for that reason).
  std::reverse(order.begin(), order.end());
  if (strategy_ == Strategy::Ddp) {
    add_buckets(order, -1, bucket_bytes);
    updated_ = params_;
    return;
  }
  int world = group_->world_size();
  std::vector<int> owner(params_.size());
  std::vector<int64_t> load(world, 0);
  std::vector<size_t> by_size = order;
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t a, size_t b) { return params_[a].numel() > params_[b].numel(); });
  for (size_t i : by_size) {
    int least = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    owner[i] = least;
    load[least] += bytes_of(params_[i]);
  }
  for (int r = 0; r < world; ++r) {
    std::vector<size_t> owned;
    for (size_t i : order) {
      if (owner[i] == r) owned.push_back(i);
    }
    add_buckets(owned, r, bucket_bytes);
  }
  for (size_t i = 0; i < params_.size(); ++i) {
    if (owner[i] == group_->rank()) updated_.push_back(params_[i]);
  }
}

void DataParallel::add_buckets(const std::vector<size_t>& indices, int owner, int64_t bucket_bytes) {
  Bucket current{{}, owner};
  int64_t bytes = 0;
  for (size_t i : indices) {
    const at::Tensor& p = params_[i];
    bool compatible = current.params.empty() || (params_[current.params[0]].scalar_type() == p.scalar_type() &&
                                                 params_[current.params[0]].device() == p.device());
    if (!current.params.empty() && (!compatible || bytes + bytes_of(p) > bucket_bytes)) {
      buckets_.push_back(current);
      current.params.clear();
      bytes = 0;
    }
    current.params.push_back(i);
    bytes += bytes_of(p);
  }
  if (!current.params.empty()) buckets_.push_back(current);
}

void DataParallel::set_share(double share) {
  require(std::isfinite(share) && share >= 0 && share <= 1, "gradient share must lie in [0, 1], got " +
                                                                std::to_string(share));
  share_ = share;
}

// A parameter without a gradient (unused in this batch) contributes zeros: every rank must send
// the same bucket layout.
at::Tensor DataParallel::flat_gradients(const Bucket& bucket) const {
  std::vector<at::Tensor> grads;
  for (size_t i : bucket.params) {
    const at::Tensor& p = params_[i];
    grads.push_back(p.grad().defined() ? p.grad().reshape(-1) : at::zeros({p.numel()}, p.options()));
  }
  at::Tensor flat = at::cat(grads);
  if (share_ != 1.0) flat.mul_(share_);
  return flat;
}

void DataParallel::reduce_gradients() {
  c10::NoGradGuard no_grad;
  int me = group_->rank();
  for (const auto& bucket : buckets_) {
    at::Tensor flat = flat_gradients(bucket);
    if (bucket.owner < 0) {
      std::vector<at::Tensor> tensors{flat};
      group_->all_reduce_sum(tensors);
    } else {
      group_->reduce_sum(flat, bucket.owner);
    }
    int64_t offset = 0;
    for (size_t i : bucket.params) {
      at::Tensor& p = params_[i];
      if (bucket.owner < 0 || bucket.owner == me) {
        p.mutable_grad() = flat.narrow(0, offset, p.numel()).view_as(p);  // a view of the bucket, as DDP's
      } else {
        p.mutable_grad() = at::Tensor();  // another rank updates it: no gradient, no optimizer state here
      }
      offset += p.numel();
    }
  }
}

void DataParallel::clip_global_norm(double max_norm) {
  c10::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const auto& p : updated_) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  at::Tensor squares = at::zeros({1}, at::kDouble);
  for (const auto& g : grads) squares += g.to(at::kDouble).pow(2).sum().cpu();
  if (strategy_ == Strategy::Zero1) {
    std::vector<at::Tensor> tensors{squares};
    group_->all_reduce_sum(tensors);
  }
  double scale = max_norm / (std::sqrt(squares.item<double>()) + 1e-6);
  if (scale < 1.0 && !grads.empty()) at::_foreach_mul_(grads, scale);
}

void DataParallel::gather_parameters() {
  if (strategy_ != Strategy::Zero1) return;
  c10::NoGradGuard no_grad;
  for (const auto& bucket : buckets_) {
    std::vector<at::Tensor> tensors;
    for (size_t i : bucket.params) tensors.push_back(params_[i]);
    at::Tensor flat = flatten(tensors);
    std::vector<at::Tensor> buffer{flat};
    group_->broadcast(buffer, bucket.owner);
    if (bucket.owner != group_->rank()) unflatten_into(flat, tensors);
  }
}

int64_t DataParallel::updated_bytes() const {
  int64_t total = 0;
  for (const auto& p : updated_) total += bytes_of(p);
  return total;
}

int64_t DataParallel::total_bytes() const {
  int64_t total = 0;
  for (const auto& p : params_) total += bytes_of(p);
  return total;
}

void broadcast_tensors(ProcessGroup& group, const std::vector<at::Tensor>& tensors, int root) {
  c10::NoGradGuard no_grad;
  std::map<std::pair<at::ScalarType, std::string>, std::vector<at::Tensor>> groups;
  for (const auto& t : tensors) groups[{t.scalar_type(), t.device().str()}].push_back(t);
  for (auto& entry : groups) {
    std::vector<at::Tensor> buffer{flatten(entry.second)};
    group.broadcast(buffer, root);
    unflatten_into(buffer[0], entry.second);
  }
}

}  // namespace fdl
