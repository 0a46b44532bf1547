// Ludwig's reduce_output "attention" (ludwig/modules/attention_modules.py FeedForwardAttentionReducer):
// a score per position, fc_layer2(tanh(fc_layer1(h))), softmax over the sequence, and the weighted
// sum of the hidden states. Its weights train even when the encoder below is frozen, as in Ludwig.
// Unlike Ludwig's, the softmax skips padding (the same sentence gives the same vector however much
// its batch was padded), and a fully padded row gives 0.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <string>

#include "nn/torchscript_source.h"

namespace fdl {

struct SequenceAttentionImpl : torch::nn::Module, TorchScriptSource {
  // Ludwig fixes the scoring layer's width at 256 (FeedForwardAttentionReducer's hidden_size).
  explicit SequenceAttentionImpl(int64_t input_size, int64_t hidden_size = 256);
  // hidden [B, T, H], attention_mask [B, T] (1 keep, 0 pad) -> [B, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& attention_mask);
  std::string torchscript_forward() const override;

  torch::nn::Linear fc_layer1{nullptr}, fc_layer2{nullptr};
};
TORCH_MODULE(SequenceAttention);

}  // namespace fdl
