// The BERT encoder, step for step as HF's modeling_bert.py (eager attention): embeddings
// (word + token type + absolute position, LayerNorm, dropout), post-LN transformer layers with
// an additive large-negative attention mask, and the tanh pooler over the first token.
#include "nn/bert.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <atomic>
#include <cmath>
#include <limits>

#include "nn/checkpoint.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

std::atomic<int64_t> forward_row_count{0};

nn::LayerNorm layer_norm(const BertOptions& o) {
  return nn::LayerNorm(nn::LayerNormOptions({o.hidden_size}).eps(o.layer_norm_eps));
}

// torch.finfo(dtype).min
double lowest_value(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat: return std::numeric_limits<float>::lowest();
    case at::kDouble: return std::numeric_limits<double>::lowest();
    case at::kHalf: return static_cast<double>(std::numeric_limits<c10::Half>::lowest());
    case at::kBFloat16: return static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
    default: break;
  }
  TORCH_CHECK(false, "BERT activations must be a floating-point type, got ", dtype);
}

}  // namespace

void BertOptions::validate() const {
  TORCH_CHECK(vocab_size > 0, "vocab_size must be positive, got ", vocab_size);
  TORCH_CHECK(hidden_size > 0, "hidden_size must be positive, got ", hidden_size);
  TORCH_CHECK(num_hidden_layers >= 0, "num_hidden_layers must be >= 0, got ", num_hidden_layers);
  TORCH_CHECK(num_attention_heads > 0 && hidden_size % num_attention_heads == 0,
              "hidden_size (", hidden_size, ") must be a multiple of num_attention_heads (", num_attention_heads, ")");
  TORCH_CHECK(intermediate_size > 0, "intermediate_size must be positive, got ", intermediate_size);
  TORCH_CHECK(max_position_embeddings > 0, "max_position_embeddings must be positive, got ", max_position_embeddings);
  TORCH_CHECK(type_vocab_size > 0, "type_vocab_size must be positive, got ", type_vocab_size);
  TORCH_CHECK(layer_norm_eps > 0, "layer_norm_eps must be positive, got ", layer_norm_eps);
  TORCH_CHECK(hidden_dropout_prob >= 0 && hidden_dropout_prob < 1,
              "hidden_dropout_prob must lie in [0, 1), got ", hidden_dropout_prob);
  TORCH_CHECK(attention_probs_dropout_prob >= 0 && attention_probs_dropout_prob < 1,
              "attention_probs_dropout_prob must lie in [0, 1), got ", attention_probs_dropout_prob);
  TORCH_CHECK(pad_token_id >= -1 && pad_token_id < vocab_size, "pad_token_id must be -1 (none) or lie in [0, ",
              vocab_size, "), got ", pad_token_id);
  TORCH_CHECK(initializer_range >= 0, "initializer_range must be >= 0, got ", initializer_range);
}

at::Tensor additive_attention_mask(const at::Tensor& attention_mask, at::ScalarType dtype) {
  at::Tensor keep = attention_mask.to(dtype).unsqueeze(1).unsqueeze(2);  // [B, 1, 1, T]
  return (1.0 - keep) * lowest_value(dtype);
}

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertOptions& o) {
  auto words = nn::EmbeddingOptions(o.vocab_size, o.hidden_size);
  if (o.pad_token_id >= 0) words.padding_idx(o.pad_token_id);
  word_embeddings = register_module("word_embeddings", nn::Embedding(words));
  position_embeddings = register_module("position_embeddings", nn::Embedding(o.max_position_embeddings, o.hidden_size));
  token_type_embeddings = register_module("token_type_embeddings", nn::Embedding(o.type_vocab_size, o.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(o));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor BertEmbeddingsImpl::forward(const at::Tensor& input_ids, const at::Tensor& token_type_ids) {
  at::Tensor positions = at::arange(input_ids.size(1), input_ids.options()).unsqueeze(0);  // [1, T]
  at::Tensor embeddings = word_embeddings(input_ids) + token_type_embeddings(token_type_ids);  // [B, T, H]
  embeddings = embeddings + position_embeddings(positions);  // HF's order of additions
  return dropout(LayerNorm(embeddings));
}

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertOptions& o)
    : num_heads(o.num_attention_heads), head_size(o.hidden_size / o.num_attention_heads) {
  query = register_module("query", nn::Linear(o.hidden_size, o.hidden_size));
  key = register_module("key", nn::Linear(o.hidden_size, o.hidden_size));
  value = register_module("value", nn::Linear(o.hidden_size, o.hidden_size));
  dropout = register_module("dropout", nn::Dropout(o.attention_probs_dropout_prob));
}

at::Tensor BertSelfAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  int64_t batch = hidden.size(0), length = hidden.size(1);
  auto heads = [&](const at::Tensor& x) {  // [B, T, H] -> [B, heads, T, head_size]
    return x.view({batch, length, num_heads, head_size}).transpose(1, 2);
  };
  at::Tensor q = heads(query(hidden)), k = heads(key(hidden)), v = heads(value(hidden));
  // LibTorch's fused attention (HF's "sdpa" implementation): softmax(q k^T / sqrt(d) + mask) v with
  // the same additive mask, and attention dropout only in training, without the [B, h, T, T] scores.
  double dropout_p = is_training() ? dropout->options.p() : 0.0;
  at::Tensor context = at::scaled_dot_product_attention(q, k, v, additive_mask, dropout_p);  // [B, h, T, head_size]
  return context.transpose(1, 2).contiguous().view({batch, length, num_heads * head_size});  // [B, T, H]
}

BertResidualOutputImpl::BertResidualOutputImpl(int64_t in_features, const BertOptions& o) {
  dense = register_module("dense", nn::Linear(in_features, o.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(o));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor BertResidualOutputImpl::forward(const at::Tensor& hidden, const at::Tensor& residual) {
  return LayerNorm(dropout(dense(hidden)) + residual);
}

BertAttentionImpl::BertAttentionImpl(const BertOptions& o) {
  self_attention = register_module("self", BertSelfAttention(o));
  output = register_module("output", BertResidualOutput(o.hidden_size, o));
}

at::Tensor BertAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  return output(self_attention(hidden, additive_mask), hidden);
}

BertIntermediateImpl::BertIntermediateImpl(const BertOptions& o) : activation(o.hidden_act) {
  dense = register_module("dense", nn::Linear(o.hidden_size, o.intermediate_size));
}

at::Tensor BertIntermediateImpl::forward(const at::Tensor& hidden) {
  at::Tensor x = dense(hidden);
  switch (activation) {
    case BertActivation::Gelu: return at::gelu(x);  // exact: 0.5 x (1 + erf(x / sqrt 2))
    case BertActivation::GeluTanh: return at::gelu(x, "tanh");
    case BertActivation::Relu: return at::relu(x);
  }
  TORCH_CHECK(false, "unknown BERT activation");
}

BertLayerImpl::BertLayerImpl(const BertOptions& o) {
  attention = register_module("attention", BertAttention(o));
  intermediate = register_module("intermediate", BertIntermediate(o));
  output = register_module("output", BertResidualOutput(o.intermediate_size, o));
}

at::Tensor BertLayerImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  at::Tensor attended = attention(hidden, additive_mask);  // [B, T, H]
  return output(intermediate(attended), attended);
}

BertEncoderImpl::BertEncoderImpl(const BertOptions& o) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) layer->push_back(BertLayer(o));
}

at::Tensor BertEncoderImpl::forward(at::Tensor hidden, const at::Tensor& additive_mask) {
  auto run = [](torch::nn::Module& block, const at::Tensor& x, const at::Tensor& mask) {
    return static_cast<BertLayerImpl&>(block).forward(x, mask);
  };
  for (const auto& block : *layer) {
    hidden = gradient_checkpointing && is_training() ? checkpoint(*block, run, hidden, additive_mask)
                                                     : run(*block, hidden, additive_mask);
  }
  return hidden;
}

BertPoolerImpl::BertPoolerImpl(const BertOptions& o) {
  dense = register_module("dense", nn::Linear(o.hidden_size, o.hidden_size));
}

at::Tensor BertPoolerImpl::forward(const at::Tensor& hidden) {
  return at::tanh(dense(hidden.select(1, 0)));
}

BertModelImpl::BertModelImpl(const BertOptions& o) : options(o) {
  options.validate();
  embeddings = register_module("embeddings", BertEmbeddings(o));
  encoder = register_module("encoder", BertEncoder(o));
  pooler = register_module("pooler", BertPooler(o));
}

BertModelOutput BertModelImpl::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                                       const at::Tensor& token_type_ids) {
  forward_row_count.fetch_add(input_ids.size(0), std::memory_order_relaxed);
  at::Tensor types = token_type_ids.defined() ? token_type_ids : at::zeros_like(input_ids);
  at::Tensor hidden = embeddings(input_ids, types);                                     // [B, T, H]
  hidden = encoder(hidden, additive_attention_mask(attention_mask, hidden.scalar_type()));  // [B, T, H]
  return {hidden, pooler(hidden)};
}

int64_t BertModelImpl::forward_rows() { return forward_row_count.load(std::memory_order_relaxed); }

void BertModelImpl::reset_parameters_like_hf(uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  auto normal = [&](at::Tensor& weight) {  // drawn on the CPU, so the values do not depend on the device
    weight.copy_(at::empty(weight.sizes(), weight.options().device(at::kCPU))
                     .normal_(0.0, options.initializer_range, generator));
  };
  at::NoGradGuard no_grad;
  for (const auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<nn::Linear>()) {
      normal(linear->weight);
      linear->bias.zero_();
    } else if (auto* embedding = module->as<nn::Embedding>()) {
      normal(embedding->weight);
      if (auto pad = embedding->options.padding_idx()) embedding->weight[*pad].zero_();
    } else if (auto* norm = module->as<nn::LayerNorm>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

}  // namespace fdl
