// Ludwig's reduce_output for sequence encoders, padding-aware: the same sentence gives the same
// vector however much padding its batch needed.
#pragma once

#include <ATen/ATen.h>

namespace fdl {

enum class SequenceReduce {
  ClsPooled,  // the encoder's pooled output (BERT: tanh(dense(h[:, 0])))          -> [B, H]
  Sum,        // sum over the non-padding tokens                                    -> [B, H]
  Mean,       // mean over the non-padding tokens (0 for a fully padded row)        -> [B, H]
  Last,       // hidden state of the last non-padding token (left or right padding) -> [B, H]
  None,       // the whole sequence                                                 -> [B, T, H]
  Max,        // elementwise max over the non-padding tokens (0 for a fully padded row) -> [B, H]
  Concat,     // every position's hidden state, padding zeroed, flattened              -> [B, T * H]
              // (TextInput pads T to the feature's max_sequence_length: one width for every batch)
  Attention,  // Ludwig's learned feed-forward attention: nn/sequence_attention.h       -> [B, H]
};

// hidden: [B, T, H], attention_mask: [B, T] (1 keep, 0 pad), pooled: [B, H] (needed for ClsPooled).
// Every parameter-free mode; Attention has weights and fails here.
at::Tensor reduce_sequence(const at::Tensor& hidden, const at::Tensor& attention_mask, const at::Tensor& pooled,
                           SequenceReduce mode);

}  // namespace fdl
