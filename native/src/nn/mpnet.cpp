// MPNet step for step as HF's modeling_mpnet.py (MPNetModel, eager attention).
#include "nn/mpnet.h"

#include <cmath>
#include <limits>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

// HF calls compute_position_bias with its default num_buckets=32 (and max_distance 128).
constexpr int64_t kBuckets = 32;
constexpr int64_t kMaxDistance = 128;

}  // namespace

MPNetOptions MPNetOptions::from_config(const HfConfig& c) {
  MPNetOptions o;
  o.vocab_size = read_at_least(c, "vocab_size", o.vocab_size, 1);
  o.hidden_size = read_at_least(c, "hidden_size", o.hidden_size, 1);
  o.num_hidden_layers = read_at_least(c, "num_hidden_layers", o.num_hidden_layers, 0);
  o.num_attention_heads = read_at_least(c, "num_attention_heads", o.num_attention_heads, 1);
  o.intermediate_size = read_at_least(c, "intermediate_size", o.intermediate_size, 1);
  o.hidden_act = read_activation(c, "hidden_act", "gelu");
  o.hidden_dropout_prob = read_probability(c, "hidden_dropout_prob", o.hidden_dropout_prob);
  o.attention_probs_dropout_prob = read_probability(c, "attention_probs_dropout_prob", o.attention_probs_dropout_prob);
  o.max_position_embeddings = read_at_least(c, "max_position_embeddings", o.max_position_embeddings, 1);
  o.initializer_range = c.number("initializer_range", o.initializer_range);
  o.layer_norm_eps = c.number("layer_norm_eps", o.layer_norm_eps);
  o.relative_attention_num_buckets = read_at_least(c, "relative_attention_num_buckets", o.relative_attention_num_buckets, kBuckets);
  o.pad_token_id = c.integer("pad_token_id", o.pad_token_id);
  require_heads_divide(o.hidden_size, o.num_attention_heads, "mpnet");
  require(o.pad_token_id >= 0 && o.pad_token_id < o.vocab_size && o.pad_token_id + 1 < o.max_position_embeddings,
          "mpnet config.json pad_token_id must lie in [0, vocab_size) and below max_position_embeddings - 1, got " +
              std::to_string(o.pad_token_id));
  require(o.layer_norm_eps > 0, "config.json layer_norm_eps must be positive");
  return o;
}

at::Tensor mpnet_relative_position_bucket(const at::Tensor& relative, int64_t num_buckets, int64_t max_distance) {
  at::Tensor n = -relative;
  int64_t half = num_buckets / 2, max_exact = half / 2;
  at::Tensor bucket = (n < 0).to(at::kLong) * half;
  n = n.abs();
  // In float32 as HF (n.float()), so bucket edges fall where they fall there.
  at::Tensor large = max_exact + (at::log(n.to(at::kFloat) / static_cast<double>(max_exact)) /
                                  std::log(static_cast<double>(max_distance) / max_exact) * (half - max_exact))
                                     .to(at::kLong);
  return bucket + at::where(n < max_exact, n, at::clamp_max(large, half - 1));
}

MPNetEmbeddingsImpl::MPNetEmbeddingsImpl(const MPNetOptions& o) : padding_idx(o.pad_token_id) {
  word_embeddings = register_module(
      "word_embeddings", nn::Embedding(nn::EmbeddingOptions(o.vocab_size, o.hidden_size).padding_idx(padding_idx)));
  position_embeddings = register_module(
      "position_embeddings",
      nn::Embedding(nn::EmbeddingOptions(o.max_position_embeddings, o.hidden_size).padding_idx(padding_idx)));
  LayerNorm = register_module("LayerNorm", nn::LayerNorm(nn::LayerNormOptions({o.hidden_size}).eps(o.layer_norm_eps)));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor MPNetEmbeddingsImpl::forward(const at::Tensor& input_ids) {
  at::Tensor real = input_ids.ne(padding_idx).to(at::kLong);  // HF's create_position_ids_from_input_ids
  at::Tensor positions = at::cumsum(real, 1) * real + padding_idx;
  return dropout(LayerNorm(word_embeddings(input_ids) + position_embeddings(positions)));
}

std::string MPNetEmbeddingsImpl::torchscript_forward() const {
  std::string pad = std::to_string(padding_idx);
  return "def forward(self, input_ids: Tensor) -> Tensor:\n"
         "    real = input_ids.ne(" + pad + ").long()\n"
         "    positions = torch.cumsum(real, 1) * real + " + pad + "\n"
         "    x = self.word_embeddings.forward(input_ids) + self.position_embeddings.forward(positions)\n"
         "    return self.LayerNorm.forward(x)\n";
}

MPNetSelfAttentionImpl::MPNetSelfAttentionImpl(const MPNetOptions& opt) : num_heads(opt.num_attention_heads) {
  q = register_module("q", nn::Linear(opt.hidden_size, opt.hidden_size));
  k = register_module("k", nn::Linear(opt.hidden_size, opt.hidden_size));
  v = register_module("v", nn::Linear(opt.hidden_size, opt.hidden_size));
  o = register_module("o", nn::Linear(opt.hidden_size, opt.hidden_size));
  dropout = register_module("dropout", nn::Dropout(opt.attention_probs_dropout_prob));
}

at::Tensor MPNetSelfAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& bias) {
  at::Tensor query = split_heads(q(hidden), num_heads), key = split_heads(k(hidden), num_heads);
  // Written out rather than fused: the bias carries relative_attention_bias's gradient.
  at::Tensor scores = at::matmul(query, key.transpose(-1, -2)) / std::sqrt(static_cast<double>(query.size(-1))) + bias;
  return o(merge_heads(at::matmul(dropout(at::softmax(scores, -1)), split_heads(v(hidden), num_heads))));
}

std::string MPNetSelfAttentionImpl::torchscript_forward() const {
  int64_t size = q->options.out_features();
  std::string shape = "[batch, length, " + std::to_string(num_heads) + ", " + std::to_string(size / num_heads) + "]";
  return "def forward(self, hidden: Tensor, bias: Tensor) -> Tensor:\n"
         "    batch = hidden.size(0)\n"
         "    length = hidden.size(1)\n"
         "    q = self.q.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
         "    k = self.k.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
         "    v = self.v.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
         "    scores = torch.matmul(q, k.transpose(-1, -2)) / " + torchscript_literal(std::sqrt(double(size / num_heads))) + " + bias\n"
         "    context = torch.matmul(torch.softmax(scores, -1), v)\n"
         "    return self.o.forward(context.transpose(1, 2).contiguous().view([batch, length, " + std::to_string(size) + "]))\n";
}

MPNetAttentionImpl::MPNetAttentionImpl(const MPNetOptions& o) {
  attn = register_module("attn", MPNetSelfAttention(o));
  LayerNorm = register_module("LayerNorm", nn::LayerNorm(nn::LayerNormOptions({o.hidden_size}).eps(o.layer_norm_eps)));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor MPNetAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& bias) {
  return LayerNorm(dropout(attn(hidden, bias)) + hidden);
}

std::string MPNetAttentionImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor, bias: Tensor) -> Tensor:\n"
         "    return self.LayerNorm.forward(self.attn.forward(hidden, bias) + hidden)\n";
}

MPNetLayerImpl::MPNetLayerImpl(const MPNetOptions& o) {
  attention = register_module("attention", MPNetAttention(o));
  intermediate = register_module("intermediate", DenseActivation(o.hidden_size, o.intermediate_size, o.hidden_act));
  output = register_module("output", DenseResidualNorm(o.intermediate_size, o.hidden_size, o.layer_norm_eps,
                                                       o.hidden_dropout_prob));
}

at::Tensor MPNetLayerImpl::forward(const at::Tensor& hidden, const at::Tensor& bias) {
  at::Tensor attended = attention(hidden, bias);
  return output(intermediate(attended), attended);
}

std::string MPNetLayerImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor, bias: Tensor) -> Tensor:\n"
         "    attended = self.attention.forward(hidden, bias)\n"
         "    return self.output.forward(self.intermediate.forward(attended), attended)\n";
}

MPNetEncoderImpl::MPNetEncoderImpl(const MPNetOptions& o) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) layer->push_back(MPNetLayer(o));
  relative_attention_bias =
      register_module("relative_attention_bias", nn::Embedding(o.relative_attention_num_buckets, o.num_attention_heads));
}

at::Tensor MPNetEncoderImpl::position_bias(int64_t length) {
  at::Tensor positions = at::arange(length, relative_attention_bias->weight.options().dtype(at::kLong));
  at::Tensor relative = positions.unsqueeze(0) - positions.unsqueeze(1);  // [query, key]: key - query
  return relative_attention_bias(mpnet_relative_position_bucket(relative, kBuckets, kMaxDistance))
      .permute({2, 0, 1})
      .unsqueeze(0);
}

at::Tensor MPNetEncoderImpl::forward(at::Tensor hidden, const at::Tensor& additive_mask) {
  auto run = [](nn::Module& block, const at::Tensor& x, const at::Tensor& bias) {
    return static_cast<MPNetLayerImpl&>(block).forward(x, bias);
  };
  // HF adds the bias, then the mask, to every layer's scores; summed once here ([B, heads, T, T]).
  at::Tensor bias = position_bias(hidden.size(1)).to(hidden.scalar_type()) + additive_mask;
  for (const auto& block : *layer) hidden = run_layer(*block, run, hidden, bias, gradient_checkpointing);
  return hidden;
}

std::string MPNetEncoderImpl::torchscript_forward() const {
  int64_t half = kBuckets / 2, exact = half / 2;
  std::string code =
      "def forward(self, hidden: Tensor, additive_mask: Tensor) -> Tensor:\n"
      "    positions = torch.arange(hidden.size(1), device=hidden.device)\n"
      "    n = positions.unsqueeze(1) - positions.unsqueeze(0)\n"
      "    bucket = (n < 0).long() * " + std::to_string(half) + "\n"
      "    n = torch.abs(n)\n"
      "    large = " + std::to_string(exact) + " + (torch.log(n.float() / " + std::to_string(exact) + ".0) / " +
      torchscript_literal(std::log(double(kMaxDistance) / exact)) + " * " + std::to_string(half - exact) + ".0).long()\n"
      "    bucket = bucket + torch.where(n < " + std::to_string(exact) + ", n, torch.clamp_max(large, " +
      std::to_string(half - 1) + "))\n"
      "    bias = self.relative_attention_bias.forward(bucket).permute([2, 0, 1]).unsqueeze(0).to(hidden.dtype)\n"
      "    bias = bias + additive_mask\n";
  for (size_t i = 0; i < layer->size(); ++i) code += "    hidden = " + script_item("self.layer", i) + ".forward(hidden, bias)\n";
  return code + "    return hidden\n";
}

MPNetModelImpl::MPNetModelImpl(const MPNetOptions& o) : options(o) {
  embeddings = register_module("embeddings", MPNetEmbeddings(o));
  encoder = register_module("encoder", MPNetEncoder(o));
  pooler = register_module("pooler", TanhPooler(o.hidden_size));
}

TextEncoderOutput MPNetModelImpl::encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  at::Tensor embedded = embeddings(input_ids);
  at::Tensor hidden = encoder(embedded, additive_padding_mask(attention_mask, embedded.scalar_type()));
  return {hidden, pooler(hidden)};
}

std::string MPNetModelImpl::torchscript_forward() const {
  return "def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tuple[Tensor, Tensor]:\n"
         "    embedded = self.embeddings.forward(input_ids)\n"
         "    keep = attention_mask.to(embedded.dtype).unsqueeze(1).unsqueeze(2)\n"
         "    hidden = self.encoder.forward(embedded, (1.0 - keep) * " +
         torchscript_literal(std::numeric_limits<float>::lowest()) + ")\n"
         "    return hidden, self.pooler.forward(hidden)\n";
}

void MPNetModelImpl::reset_parameters_like_hf(uint64_t seed) { normal_init_like_hf(*this, options.initializer_range, seed); }

std::shared_ptr<TextEncoderImpl> make_mpnet(const HfConfig& config) {
  return std::make_shared<MPNetModelImpl>(MPNetOptions::from_config(config));
}

}  // namespace fdl
