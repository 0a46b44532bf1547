#include "ecd/input_encoders.h"

#include <algorithm>

#include "core/failure.h"
#include "core/tensor_checks.h"

namespace fdl {

at::Tensor EmbeddingInput::forward(const std::vector<at::Tensor>& inputs) {
  const at::Tensor& x = inputs.at(0);
  require(x.dim() == 2 && x.size(1) == size_, "cached embedding must have shape [batch, " + std::to_string(size_) +
                                                  "], got " + shape_string(x.sizes()));
  return x.to(at::kFloat);
}

at::Tensor CacheableInput::embed(const std::vector<at::Tensor>& raw_inputs) {
  require(static_cast<int32_t>(raw_inputs.size()) == raw_tensor_count(),
          "expected " + std::to_string(raw_tensor_count()) + " raw input tensors, got " +
              std::to_string(raw_inputs.size()));
  check(raw_inputs);  // shapes only: values were checked on the host batch (check_values), and a read here
                      // would synchronise the device or break a CUDA graph capture
  c10::NoGradGuard no_grad;
  torch::nn::Module& module = encoder();
  bool was_training = module.is_training();
  module.eval();
  at::Tensor out;
  try {
    out = encode(raw_inputs);
  } catch (...) {
    module.train(was_training && trainable);
    throw;
  }
  module.train(was_training && trainable);
  return out;
}

at::Tensor CacheableInput::forward(const std::vector<at::Tensor>& inputs) {
  if (use_cached_embeddings) {
    const at::Tensor& cached = inputs.at(0);
    require(cached.dim() == 2 && cached.size(1) == output_size(),
            "cached embedding must have shape [batch, " + std::to_string(output_size()) + "], got " +
                shape_string(cached.sizes()));
    return cached.to(at::kFloat);
  }
  // A frozen encoder runs in eval mode and without autograd, even while the model trains.
  if (!trainable) return embed(inputs);
  check(inputs);
  return encode(inputs);
}

TextInput::TextInput(std::shared_ptr<TextEncoderImpl> text_encoder, SequenceReduce reduce_mode, bool is_trainable,
                     int64_t feature_max_sequence_length)
    : CacheableInput(is_trainable),
      encoder_module(std::move(text_encoder)),
      reduce(reduce_mode),
      max_sequence_length(feature_max_sequence_length) {
  require(reduce != SequenceReduce::None, "reduce_output 'none' gives a sequence; the concat combiner needs one "
                                          "vector per row (use cls_pooled, sum, mean, max, last, concat or attention)");
  require(reduce != SequenceReduce::Concat || max_sequence_length > 0,
          "reduce_output 'concat' needs the feature's max_sequence_length (every batch is padded to it), got " +
              std::to_string(max_sequence_length));
  register_module("bert", encoder_module);
  // Trainable keeps what the family itself fixes (DistilBERT's sinusoidal positions, as in HF).
  if (!trainable) {
    for (auto& p : encoder_module->parameters()) p.set_requires_grad(false);
  }
  if (reduce == SequenceReduce::Attention) {
    attention = register_module("reduce_sequence", SequenceAttention(encoder_module->hidden_size()));
    attention->to(encoder_module->parameters().front().scalar_type());
  }
}

int64_t TextInput::output_size() const {
  int64_t hidden = encoder_module->hidden_size();
  return reduce == SequenceReduce::Concat ? max_sequence_length * hidden : hidden;
}

int64_t TextInput::longest_sequence() const {
  int64_t longest = encoder_module->max_sequence_length();
  return reduce == SequenceReduce::Concat ? std::min(longest, max_sequence_length) : longest;
}

std::string TextInput::why_not_cacheable() const {
  if (reduce != SequenceReduce::Attention) return "";
  return "reduce_output 'attention' has learned weights after the encoder, which a cache would freeze at their "
         "initial values (Ludwig turns caching off for it)";
}

at::Tensor TextInput::forward(const std::vector<at::Tensor>& inputs) {
  at::Tensor encoded = CacheableInput::forward(inputs);  // frozen: eval mode, no autograd
  if (!attention) return encoded;
  require(!use_cached_embeddings, why_not_cacheable());
  return attention->forward(encoded, inputs.at(1));  // with autograd: the reducer trains either way
}

void TextInput::check(const std::vector<at::Tensor>& inputs) const {
  const at::Tensor& ids = inputs.at(0);
  const at::Tensor& mask = inputs.at(1);
  require(ids.dim() == 2 && ids.scalar_type() == at::kLong, "input_ids must be int64 [batch, length], got " +
                                                                std::string(c10::toString(ids.scalar_type())) +
                                                                " " + shape_string(ids.sizes()));
  require(mask.sizes() == ids.sizes(), "attention_mask " + shape_string(mask.sizes()) +
                                           " must have the shape of input_ids " + shape_string(ids.sizes()));
  require(ids.size(1) <= longest_sequence(),
          "sequence length " + std::to_string(ids.size(1)) + " exceeds " +
              (reduce == SequenceReduce::Concat && max_sequence_length < encoder_module->max_sequence_length()
                   ? "the feature's max_sequence_length "
                   : "the model's max_sequence_length ") +
              std::to_string(longest_sequence()));
}

std::vector<at::Tensor> TextInput::padded_to_bucket(const std::vector<at::Tensor>& inputs) const {
  if (use_cached_embeddings) return inputs;
  int64_t length = inputs.at(0).size(1), bucket = 16;
  while (bucket < length) bucket *= 2;
  bucket = std::max(length, std::min(bucket, longest_sequence()));
  if (bucket == length) return inputs;
  // RoBERTa numbers positions by the pad id, so the ids are padded with it (the mask with 0).
  int64_t pad = std::max<int64_t>(encoder_module->pad_token_id(), 0);
  return {at::constant_pad_nd(inputs.at(0), {0, bucket - length}, pad),
          at::constant_pad_nd(inputs.at(1), {0, bucket - length}, 0)};
}

void TextInput::check_raw_values(const std::vector<at::Tensor>& inputs) const {
  require_ids_in_range(inputs.at(0), encoder_module->vocab_size(), "token ids");
}

at::Tensor TextInput::encode(const std::vector<at::Tensor>& inputs) {
  const at::Tensor& ids = inputs.at(0);
  const at::Tensor& mask = inputs.at(1);
  if (reduce == SequenceReduce::Attention) return encode_and_reduce(*encoder_module, ids, mask, SequenceReduce::None);
  if (reduce != SequenceReduce::Concat) return encode_and_reduce(*encoder_module, ids, mask, reduce);
  // concat: zero positions up to max_sequence_length, so that every batch gives the same width.
  at::Tensor hidden = encode_and_reduce(*encoder_module, ids, mask, SequenceReduce::None);
  int64_t pad = max_sequence_length - hidden.size(1);
  return reduce_sequence(at::constant_pad_nd(hidden, {0, 0, 0, pad}), at::constant_pad_nd(mask, {0, pad}), {},
                         SequenceReduce::Concat);
}

ImageInput::ImageInput(std::shared_ptr<ImageEncoderImpl> model, bool is_trainable)
    : CacheableInput(is_trainable), image_encoder(std::move(model)) {
  register_module("encoder", image_encoder);
  for (auto& p : image_encoder->parameters()) p.set_requires_grad(trainable);
}

void ImageInput::check(const std::vector<at::Tensor>& inputs) const { require_images(inputs.at(0), *image_encoder); }

at::Tensor ImageInput::encode(const std::vector<at::Tensor>& inputs) {
  return image_encoder->forward(inputs.at(0).to(image_encoder->parameters().front().options()));
}

ScalarInput::ScalarInput(const std::vector<FcLayerSpec>& layers) {
  stack = register_module("stack", FcStack(1, layers));
}

at::Tensor ScalarInput::forward(const std::vector<at::Tensor>& inputs) {
  const at::Tensor& x = inputs.at(0);
  require(x.dim() == 1 && x.is_floating_point(), "values must be float [batch], got " +
                                                     std::string(c10::toString(x.scalar_type())) + " " +
                                                     shape_string(x.sizes()));
  return stack->forward(x.to(at::kFloat).unsqueeze(1));
}

CategoryInput::CategoryInput(int64_t vocab, int64_t embedding_size, bool trainable, double dropout_rate)
    : vocab_size(vocab) {
  require(vocab_size >= 1, "the vocabulary is empty");
  require(embedding_size >= 0, "embedding_size must be >= 0, got " + std::to_string(embedding_size));
  require(dropout_rate >= 0 && dropout_rate < 1, "dropout must lie in [0, 1), got " + std::to_string(dropout_rate));
  if (embedding_size > 0) {
    embedding = register_module("embedding", torch::nn::Embedding(vocab_size, std::min(embedding_size, vocab_size)));
    {
      c10::NoGradGuard no_grad;
      embedding->weight.uniform_(-1.0, 1.0);
    }
    embedding->weight.set_requires_grad(trainable);
  }
  dropout = register_module("dropout", torch::nn::Dropout(dropout_rate));
}

at::Tensor CategoryInput::forward(const std::vector<at::Tensor>& inputs) {
  const at::Tensor& ids = inputs.at(0);
  require(ids.dim() == 1 && ids.scalar_type() == at::kLong, "class ids must be int64 [batch], got " +
                                                                std::string(c10::toString(ids.scalar_type())) + " " +
                                                                shape_string(ids.sizes()));
  at::Tensor encoded = embedding ? embedding->forward(ids) : at::one_hot(ids, vocab_size).to(at::kFloat);
  return dropout->forward(encoded);
}

void CategoryInput::check_values(const std::vector<at::Tensor>& inputs) const {
  require_ids_in_range(inputs.at(0), vocab_size, "class ids");
}

}  // namespace fdl
