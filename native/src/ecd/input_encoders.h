// Input features of the ECD model: each turns its batch tensors into one [B, D] vector per row
// for the combiner. Ludwig's "encoder" of an input feature.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "../bert.h"
#include "../sequence_reduce.h"

namespace fdl {

struct InputEncoder : torch::nn::Module {
  // inputs: this feature's tensors of one batch, in the order tensor_count() documents.
  virtual at::Tensor forward(const std::vector<at::Tensor>& inputs) = 0;
  virtual int64_t output_size() const = 0;
  virtual int32_t tensor_count() const = 0;
};

// Passes precomputed [B, D] float rows straight to the combiner: Ludwig's skip encoder, used
// when a frozen encoder's outputs were cached during preprocessing.
struct EmbeddingInput : InputEncoder {
  explicit EmbeddingInput(int64_t size) : size_(size) {}
  at::Tensor forward(const std::vector<at::Tensor>& inputs) override;
  int64_t output_size() const override { return size_; }
  int32_t tensor_count() const override { return 1; }

 private:
  int64_t size_;
};

// A BERT-family text encoder. Tensors: input_ids [B, T] int64, attention_mask [B, T] int64;
// with use_cached_embeddings it takes the reduced [B, H] embedding instead (skip encoder), so one
// model trains on cached embeddings and predicts from raw text.
struct TextInput : InputEncoder {
  TextInput(BertModel bert, SequenceReduce reduce, bool trainable);
  at::Tensor forward(const std::vector<at::Tensor>& inputs) override;
  // The real encoder's output for raw inputs, without autograd: what a cache stores.
  at::Tensor embed(const at::Tensor& input_ids, const at::Tensor& attention_mask);
  int64_t output_size() const override { return bert->options.hidden_size; }
  int32_t tensor_count() const override { return use_cached_embeddings ? 1 : 2; }

  BertModel bert;
  SequenceReduce reduce;
  bool trainable;
  bool use_cached_embeddings = false;
};

}  // namespace fdl
