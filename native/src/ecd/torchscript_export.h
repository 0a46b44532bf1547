// TorchScript export of a built ECD model: a torch::jit::Module whose submodules, parameters and
// buffers carry the model's own state names ("input_features.text.bert.encoder.layer.0...",
// "combiner.layers.0.dense.weight", "output_features.label.dense.bias"), each with a forward()
// defined in TorchScript source that mirrors the C++ module in evaluation mode (dropout off,
// batch norm on running statistics). Loads with torch.jit.load in Python and torch::jit::load in C++.
//
// Input contract of the root forward(inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
//   text input "<name>": token ids [B, T] int64 (tokenizer.json with special tokens, truncated to
//   max_sequence_length, padded); optional "<name>_attention_mask" [B, T] int64 (1 keep, 0 pad),
//   else ids != pad_token_id.
//   image input "<name>": float [B, C, H, W], already resized and standardised by preprocessing
//   (the ResNet itself, also for a model trained on cached embeddings).
//   number or binary input "<name>": float [B] (normalised value; binary 0/1).
//   category input "<name>": int64 [B] class ids into the training vocabulary (0 is <UNK>).
// Outputs per output feature "<name>": "<name>_logits"; category: "_probabilities" [B, C] softmax,
//   "_predictions" [B] int64 class index; binary: "_probabilities" [B, 2] (false, true),
//   "_predictions" [B] bool (probability of true >= threshold); number: "_predictions" [B] float.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ecd/ecd_model.h"

namespace fdl {

// binary_thresholds: one per output feature (read for binary outputs only).
void export_torchscript(EcdModelImpl& model, const std::vector<double>& binary_thresholds, const std::string& path);

}  // namespace fdl
