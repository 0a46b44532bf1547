#include "nn/sequence_attention.h"

#include <limits>

namespace fdl {

SequenceAttentionImpl::SequenceAttentionImpl(int64_t input_size, int64_t hidden_size) {
  // LibTorch's Linear initialises as PyTorch's nn.Linear does, which is what Ludwig's layers get.
  fc_layer1 = register_module("fc_layer1", torch::nn::Linear(input_size, hidden_size));
  fc_layer2 = register_module("fc_layer2", torch::nn::Linear(torch::nn::LinearOptions(hidden_size, 1).bias(false)));
}

at::Tensor SequenceAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& attention_mask) {
  TORCH_CHECK(hidden.dim() == 3, "hidden states must be [B, T, H], got ", hidden.sizes());
  TORCH_CHECK(attention_mask.sizes() == hidden.sizes().slice(0, 2), "attention_mask must be [B, T] = ",
              hidden.sizes().slice(0, 2), ", got ", attention_mask.sizes());
  at::Tensor scores = fc_layer2->forward(at::tanh(fc_layer1->forward(hidden))).squeeze(-1);  // [B, T]
  at::Tensor kept = attention_mask.ne(0);
  at::Tensor any_kept = kept.any(1, /*keepdim=*/true);  // [B, 1]
  // Padding gets -inf; a row with no token at all keeps finite scores (a softmax over only -inf is
  // NaN, whose gradient would reach the shared weights) and is zeroed afterwards.
  scores = scores.masked_fill(kept.logical_not().logical_and(any_kept), -std::numeric_limits<double>::infinity());
  at::Tensor weights = at::softmax(scores, 1) * any_kept.to(scores.scalar_type());
  return (weights.unsqueeze(-1) * hidden).sum(1);
}

std::string SequenceAttentionImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor, attention_mask: Tensor) -> Tensor:\n"
         "    scores = self.fc_layer2.forward(torch.tanh(self.fc_layer1.forward(hidden))).squeeze(-1)\n"
         "    kept = attention_mask.ne(0)\n"
         "    any_kept = kept.any(1, keepdim=True)\n"
         "    scores = scores.masked_fill(kept.logical_not().logical_and(any_kept), float('-inf'))\n"
         "    weights = torch.softmax(scores, 1) * any_kept.to(scores.dtype)\n"
         "    return (weights.unsqueeze(-1) * hidden).sum(1)\n";
}

}  // namespace fdl
