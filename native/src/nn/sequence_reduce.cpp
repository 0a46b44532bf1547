#include "nn/sequence_reduce.h"

#include <limits>

namespace fdl {

at::Tensor reduce_sequence(const at::Tensor& hidden, const at::Tensor& attention_mask, const at::Tensor& pooled,
                           SequenceReduce mode) {
  TORCH_CHECK(hidden.dim() == 3, "hidden states must be [B, T, H], got ", hidden.sizes());
  TORCH_CHECK(attention_mask.sizes() == hidden.sizes().slice(0, 2), "attention_mask must be [B, T] = ",
              hidden.sizes().slice(0, 2), ", got ", attention_mask.sizes());
  at::Tensor keep = attention_mask.to(hidden.scalar_type());  // [B, T]
  switch (mode) {
    case SequenceReduce::ClsPooled:
      TORCH_CHECK(pooled.defined(), "reduce_output cls_pooled needs an encoder with a pooler");
      return pooled;
    case SequenceReduce::Sum:
      return (hidden * keep.unsqueeze(-1)).sum(1);
    case SequenceReduce::Mean: {
      at::Tensor count = keep.sum(1, /*keepdim=*/true).clamp_min(1.0);  // [B, 1]
      return (hidden * keep.unsqueeze(-1)).sum(1) / count;
    }
    case SequenceReduce::Last: {
      // The largest position whose mask is 1 (position 0 for a fully padded row).
      at::Tensor positions = at::arange(hidden.size(1), attention_mask.options().dtype(at::kLong));
      at::Tensor last = (attention_mask.ne(0).to(at::kLong) * positions).argmax(1);  // [B]
      at::Tensor index = last.view({-1, 1, 1}).expand({hidden.size(0), 1, hidden.size(2)});
      return hidden.gather(1, index).squeeze(1);
    }
    case SequenceReduce::Max: {
      // Ludwig's ReduceMax takes amax over every position; padding's hidden states are not zero,
      // so they are masked to -inf here: padding never wins, and a fully padded row gives 0.
      at::Tensor kept = attention_mask.ne(0).unsqueeze(-1);  // [B, T, 1]
      at::Tensor max = hidden.masked_fill(kept.logical_not(), -std::numeric_limits<double>::infinity()).amax(1);
      return at::where(kept.any(1), max, at::zeros_like(max));
    }
    case SequenceReduce::Concat:
      return (hidden * keep.unsqueeze(-1)).flatten(1);
    case SequenceReduce::None:
      return hidden;
    case SequenceReduce::Attention:
      TORCH_CHECK(false, "reduce_output attention has learned weights: only a model's text input feature has them");
  }
  TORCH_CHECK(false, "unknown sequence reduction");
}

}  // namespace fdl
