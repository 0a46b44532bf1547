// What every pretrained text encoder family (HF model_type: bert, roberta, distilbert, ...) is to
// the rest of Fidelio: HF's <Family>Model forward under HF's parameter names, so a checkpoint loads
// with the strict loader (state_dict.h) after its task prefix ("roberta.", "distilbert.") is gone.
// One module per architecture in nn/<family>.{h,cpp}; nn/text_encoders.cpp picks it by model_type.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/hf_config.h"
#include "nn/sequence_reduce.h"

namespace fdl {

struct TextEncoderOutput {
  at::Tensor last_hidden_state;  // [B, T, H]
  at::Tensor pooler_output;      // [B, H]; undefined when the family has no pooler (distilbert, electra, ...)
};

struct TextEncoderImpl : torch::nn::Module {
  // input_ids [B, T] int64, attention_mask [B, T] int64 (1 keep, 0 pad); token type ids are all 0.
  // Inputs are trusted here; the ECD's TextInput checks shapes and id ranges first.
  virtual TextEncoderOutput encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) = 0;

  virtual int64_t hidden_size() const = 0;
  virtual int64_t vocab_size() const = 0;
  // The longest sequence the position embeddings allow (RoBERTa: max_position_embeddings -
  // pad_token_id - 1); a large number for families without learned positions (ModernBERT: its
  // max_position_embeddings).
  virtual int64_t max_sequence_length() const = 0;
  virtual int64_t pad_token_id() const = 0;
  // Recompute each layer in backward (trainer.enable_gradient_checkpointing; nn/checkpoint.h).
  virtual void set_gradient_checkpointing(bool enabled) = 0;
  // HF's _init_weights for the family, from seed, independent of the global generator (use_pretrained: false).
  virtual void reset_parameters_like_hf(uint64_t seed) = 0;
  // TorchScript export: the source of
  //   def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tuple[Tensor, Tensor]
  // returning (last_hidden_state, pooled), pooled = the pooler's output or last_hidden_state[:, 0]
  // for families without one. Submodules of the family implement TorchScriptSource (torchscript_source.h).
};

// The family's module for config.json's model_type, configured from it; an unknown model_type is
// FDL_ERR_UNSUPPORTED listing the supported ones.
std::shared_ptr<TextEncoderImpl> make_text_encoder(const HfConfig& config);
// The model_types make_text_encoder builds.
std::vector<std::string> supported_text_model_types();

// encoder->encode(input_ids, attention_mask) reduced by mode (cls_pooled: the pooler, or the first
// token's state for families without one, as the export does), counting the rows it encodes. Every
// entry point (the ECD's TextInput, the C ABI's forward) runs encoders through it.
at::Tensor encode_and_reduce(TextEncoderImpl& encoder, const at::Tensor& input_ids, const at::Tensor& attention_mask,
                             SequenceReduce mode);
// Rows (sequences) encode_and_reduce has run in this process: the preprocessed store's tests assert
// that a reused store runs none.
int64_t encoded_rows();

}  // namespace fdl
