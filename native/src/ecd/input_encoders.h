// Input features of the ECD model: each turns its batch tensors into one [B, D] vector per row
// for the combiner. Ludwig's "encoder" of an input feature.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <vector>

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>

#include "nn/image_encoder.h"
#include "nn/sequence_attention.h"
#include "nn/text_encoder.h"
#include "nn/sequence_reduce.h"
#include "nn/fc_stack.h"

namespace fdl {

struct InputEncoder : torch::nn::Module {
  // inputs: this feature's tensors of one batch, in the order tensor_count() documents.
  virtual at::Tensor forward(const std::vector<at::Tensor>& inputs) = 0;
  virtual int64_t output_size() const = 0;
  virtual int32_t tensor_count() const = 0;
  // Checks that read values (id ranges), on the host batch before it moves to the model's device:
  // on a device they would synchronise, and a captured CUDA graph cannot run them at all.
  virtual void check_values(const std::vector<at::Tensor>& inputs) const {}
  // The same batch in one of a few shapes, for CUDA graph capture (one graph per shape): sequences
  // padded to a length bucket. The encoder's output must not change.
  virtual std::vector<at::Tensor> padded_to_bucket(const std::vector<at::Tensor>& inputs) const { return inputs; }
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

// An input whose encoder's output can be cached (cache_encoder_embeddings): with
// use_cached_embeddings it takes the encoder's [B, D] output instead of raw tensors (Ludwig's
// skip encoder), so one model trains on cached embeddings and predicts from raw inputs.
// A frozen encoder runs in eval mode (dropout off, batch-norm statistics fixed), without autograd.
struct CacheableInput : InputEncoder {
  explicit CacheableInput(bool is_trainable) : trainable(is_trainable) {}
  at::Tensor forward(const std::vector<at::Tensor>& inputs) override;
  // The real encoder's output for raw inputs, in eval mode and without autograd: what a cache stores.
  at::Tensor embed(const std::vector<at::Tensor>& raw_inputs);
  int32_t tensor_count() const override { return use_cached_embeddings ? 1 : raw_tensor_count(); }
  void check_values(const std::vector<at::Tensor>& inputs) const override {
    if (!use_cached_embeddings) check_raw_values(inputs);
  }

  // Empty when embed's output is what the model needs; else why a cache cannot stand in for the encoder.
  virtual std::string why_not_cacheable() const { return ""; }

  bool trainable;
  bool use_cached_embeddings = false;

 protected:
  // Checks raw inputs' shapes and types (throws naming the problem); called before encode.
  virtual void check(const std::vector<at::Tensor>& raw_inputs) const = 0;
  virtual void check_raw_values(const std::vector<at::Tensor>& raw_inputs) const {}
  // The encoder's output in the current mode and grad mode.
  virtual at::Tensor encode(const std::vector<at::Tensor>& raw_inputs) = 0;
  virtual int32_t raw_tensor_count() const = 0;
  virtual torch::nn::Module& encoder() = 0;
};

// A pretrained text encoder of any family (text_encoder.h). Raw tensors: input_ids [B, T] int64,
// attention_mask [B, T] int64. Its state keys stay "<feature>.bert.<HF key>" for every family, so
// saved models and layers_to_freeze_regex patterns keep working. reduce_output concat needs the
// feature's max_sequence_length (every batch is padded to it); attention adds Ludwig's learned
// reducer ("<feature>.reduce_sequence.*"), which trains even when the encoder is frozen, and which a
// cache cannot hold (Ludwig turns caching off for it too).
struct TextInput : CacheableInput {
  TextInput(std::shared_ptr<TextEncoderImpl> encoder, SequenceReduce reduce, bool trainable,
            int64_t max_sequence_length);
  at::Tensor forward(const std::vector<at::Tensor>& inputs) override;
  int64_t output_size() const override;
  // Padding (the pad id, mask 0) to the next power of two from 16, at most max_sequence_length:
  // masked positions change neither the attention nor any reduce_output.
  std::vector<at::Tensor> padded_to_bucket(const std::vector<at::Tensor>& inputs) const override;
  std::string why_not_cacheable() const override;
  // The longest input: the model's positions, and for concat the feature's max_sequence_length.
  int64_t longest_sequence() const;

  std::shared_ptr<TextEncoderImpl> encoder_module;
  SequenceReduce reduce;
  int64_t max_sequence_length;  // the feature's (0: unknown; concat needs it)
  SequenceAttention attention{nullptr};

 protected:
  void check(const std::vector<at::Tensor>& raw_inputs) const override;
  void check_raw_values(const std::vector<at::Tensor>& raw_inputs) const override;
  // The reduced output; for attention the last hidden state, which forward then reduces.
  at::Tensor encode(const std::vector<at::Tensor>& raw_inputs) override;
  int32_t raw_tensor_count() const override { return 2; }
  torch::nn::Module& encoder() override { return *encoder_module; }
};

// A torchvision image encoder of any family (nn/image_encoder.h). Raw tensor: images [B, C, H, W]
// float32, already resized and standardised by preprocessing; output: the features at Ludwig's cut.
struct ImageInput : CacheableInput {
  ImageInput(std::shared_ptr<ImageEncoderImpl> encoder, bool trainable);
  int64_t output_size() const override { return image_encoder->feature_size(); }

  std::shared_ptr<ImageEncoderImpl> image_encoder;

 protected:
  void check(const std::vector<at::Tensor>& raw_inputs) const override;
  at::Tensor encode(const std::vector<at::Tensor>& raw_inputs) override;
  int32_t raw_tensor_count() const override { return 1; }
  torch::nn::Module& encoder() override { return *image_encoder; }
};

// A one-value feature (number or binary). Tensor: float [B], already normalised by preprocessing.
// Without layers it is Ludwig's passthrough encoder ([B, 1]); with layers, the dense encoder (an
// FC stack from the single value).
struct ScalarInput : InputEncoder {
  explicit ScalarInput(const std::vector<FcLayerSpec>& layers);
  at::Tensor forward(const std::vector<at::Tensor>& inputs) override;
  int64_t output_size() const override { return stack->output_size(); }
  int32_t tensor_count() const override { return 1; }

  FcStack stack{nullptr};
};

// A category feature. Tensor: int64 class ids [B] into the training vocabulary (0 is <UNK>).
// embedding_size > 0: Ludwig's dense encoder, a learned embedding per class (capped at the
// vocabulary size, as Ludwig does without force_embedding_size), initialised uniform(-1, 1);
// embedding_size 0: the one-hot encoder ([B, vocab_size], no parameters).
struct CategoryInput : InputEncoder {
  CategoryInput(int64_t vocab_size, int64_t embedding_size, bool trainable, double dropout);
  at::Tensor forward(const std::vector<at::Tensor>& inputs) override;
  int64_t output_size() const override { return embedding ? embedding->options.embedding_dim() : vocab_size; }
  int32_t tensor_count() const override { return 1; }
  void check_values(const std::vector<at::Tensor>& inputs) const override;

  int64_t vocab_size;
  torch::nn::Embedding embedding{nullptr};
  torch::nn::Dropout dropout{nullptr};
};

}  // namespace fdl
