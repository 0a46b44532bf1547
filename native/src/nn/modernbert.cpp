// ModernBERT step for step as HF's modeling_modernbert.py (ModernBertModel, eager attention).
#include "nn/modernbert.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

// cos and sin [T, head_dim] of HF's ModernBertRotaryEmbedding, computed in float32 as there.
std::pair<at::Tensor, at::Tensor> rotary(int64_t length, int64_t dim, double theta, const at::Tensor& like) {
  auto f32 = at::TensorOptions().dtype(at::kFloat).device(like.device());
  at::Tensor inv_freq = 1.0 / at::pow(theta, at::arange(0, dim, 2, f32) / static_cast<double>(dim));
  at::Tensor freqs = at::arange(length, f32).unsqueeze(1) * inv_freq.unsqueeze(0);
  at::Tensor emb = at::cat({freqs, freqs}, -1);
  return {emb.cos().to(like.scalar_type()), emb.sin().to(like.scalar_type())};
}

at::Tensor rotate_half(const at::Tensor& x) {
  int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// The rotary and mask lines of the attention's TorchScript: x rotated by cos, sin.
std::string rotate_script(const std::string& x, int64_t half) {
  std::string h = std::to_string(half);
  return "    " + x + " = " + x + " * cos + torch.cat([-" + x + ".narrow(-1, " + h + ", " + h + "), " + x +
         ".narrow(-1, 0, " + h + ")], -1) * sin\n";
}

// HF's init.trunc_normal_(mean 0, std, a = -cutoff std, b = cutoff std) by the inverse CDF, from generator.
void trunc_normal(at::Tensor& weight, double std, double cutoff, at::Generator& generator) {
  double lo = std::erf(-cutoff / std::sqrt(2.0));  // 2 Phi(-cutoff) - 1
  at::Tensor u = at::empty(weight.sizes(), weight.options().device(at::kCPU)).uniform_(lo, -lo, generator);
  weight.copy_(u.erfinv_().mul_(std * std::sqrt(2.0)).clamp_(-cutoff * std, cutoff * std));
}

}  // namespace

ModernBertOptions ModernBertOptions::from_config(const HfConfig& c) {
  ModernBertOptions o;
  o.vocab_size = read_at_least(c, "vocab_size", o.vocab_size, 1);
  o.hidden_size = read_at_least(c, "hidden_size", o.hidden_size, 1);
  o.intermediate_size = read_at_least(c, "intermediate_size", o.intermediate_size, 1);
  o.num_hidden_layers = read_at_least(c, "num_hidden_layers", o.num_hidden_layers, 0);
  o.num_attention_heads = read_at_least(c, "num_attention_heads", o.num_attention_heads, 1);
  o.hidden_activation = read_activation(c, "hidden_activation", "gelu");
  o.max_position_embeddings = read_at_least(c, "max_position_embeddings", o.max_position_embeddings, 1);
  o.initializer_range = c.number("initializer_range", o.initializer_range);
  o.initializer_cutoff_factor = c.number("initializer_cutoff_factor", o.initializer_cutoff_factor);
  o.norm_eps = c.number("norm_eps", o.norm_eps);
  o.norm_bias = c.flag("norm_bias", o.norm_bias);
  o.pad_token_id = c.integer("pad_token_id", o.pad_token_id);
  o.global_rope_theta = c.number("global_rope_theta", o.global_rope_theta);
  // HF falls back to global_rope_theta when the field is null, which HfConfig cannot tell from absent;
  // absent is ModernBertConfig's default, 10000.
  o.local_rope_theta = c.number("local_rope_theta", o.local_rope_theta);
  o.attention_bias = c.flag("attention_bias", o.attention_bias);
  o.attention_dropout = read_probability(c, "attention_dropout", o.attention_dropout);
  o.global_attn_every_n_layers = read_at_least(c, "global_attn_every_n_layers", o.global_attn_every_n_layers, 1);
  o.local_attention = read_at_least(c, "local_attention", o.local_attention, 2);
  o.embedding_dropout = read_probability(c, "embedding_dropout", o.embedding_dropout);
  o.mlp_bias = c.flag("mlp_bias", o.mlp_bias);
  o.mlp_dropout = read_probability(c, "mlp_dropout", o.mlp_dropout);
  require_heads_divide(o.hidden_size, o.num_attention_heads, "modernbert");
  require((o.hidden_size / o.num_attention_heads) % 2 == 0, "modernbert config.json hidden_size / num_attention_heads "
                                                            "must be even (rotary embeddings rotate pairs)");
  require(o.pad_token_id >= 0 && o.pad_token_id < o.vocab_size,
          "config.json pad_token_id must lie in [0, vocab_size), got " + std::to_string(o.pad_token_id));
  require(o.norm_eps > 0, "config.json norm_eps must be positive");
  require(o.global_rope_theta > 0 && o.local_rope_theta > 0, "config.json global_rope_theta and local_rope_theta must be positive");
  std::vector<std::string> types = c.texts("layer_types", {});
  require(types.empty() || static_cast<int64_t>(types.size()) == o.num_hidden_layers,
          "modernbert config.json layer_types must list num_hidden_layers entries");
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) {
    if (types.empty()) {
      o.sliding.push_back(i % o.global_attn_every_n_layers != 0);
    } else if (types[i] == "sliding_attention" || types[i] == "full_attention") {
      o.sliding.push_back(types[i] == "sliding_attention");
    } else {
      fail(FDL_ERR_UNSUPPORTED, "modernbert config.json layer_types entry \"" + types[i] +
                                    "\" is not supported (full_attention, sliding_attention)");
    }
  }
  return o;
}

ModernBertNormImpl::ModernBertNormImpl(int64_t size, double e, bool with_bias) : eps(e) {
  weight = register_parameter("weight", at::ones({size}));
  if (with_bias) bias = register_parameter("bias", at::zeros({size}));
}

at::Tensor ModernBertNormImpl::forward(const at::Tensor& x) { return at::layer_norm(x, {weight.size(0)}, weight, bias, eps); }

std::string ModernBertNormImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n    return torch.layer_norm(x, [" + std::to_string(weight.size(0)) +
         "], self.weight, " + (bias.defined() ? "self.bias" : "None") + ", " + torchscript_literal(eps) + ")\n";
}

ModernBertEmbeddingsImpl::ModernBertEmbeddingsImpl(const ModernBertOptions& o) {
  tok_embeddings = register_module(
      "tok_embeddings", nn::Embedding(nn::EmbeddingOptions(o.vocab_size, o.hidden_size).padding_idx(o.pad_token_id)));
  norm = register_module("norm", ModernBertNorm(o.hidden_size, o.norm_eps, o.norm_bias));
  drop = register_module("drop", nn::Dropout(o.embedding_dropout));
}

at::Tensor ModernBertEmbeddingsImpl::forward(const at::Tensor& input_ids) { return drop(norm(tok_embeddings(input_ids))); }

std::string ModernBertEmbeddingsImpl::torchscript_forward() const {
  return "def forward(self, input_ids: Tensor) -> Tensor:\n"
         "    return self.norm.forward(self.tok_embeddings.forward(input_ids))\n";
}

ModernBertAttentionImpl::ModernBertAttentionImpl(const ModernBertOptions& o, int64_t layer_id)
    : num_heads(o.num_attention_heads),
      head_dim(o.hidden_size / o.num_attention_heads),
      sliding(o.sliding[layer_id]),
      half_window(o.local_attention / 2),
      rope_theta(sliding ? o.local_rope_theta : o.global_rope_theta),
      attention_dropout(o.attention_dropout) {
  Wqkv = register_module("Wqkv", nn::Linear(nn::LinearOptions(o.hidden_size, 3 * o.hidden_size).bias(o.attention_bias)));
  Wo = register_module("Wo", nn::Linear(nn::LinearOptions(o.hidden_size, o.hidden_size).bias(o.attention_bias)));
  out_drop = register_module("out_drop", nn::Dropout(o.attention_dropout));
}

at::Tensor ModernBertAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& attention_mask) {
  int64_t batch = hidden.size(0), length = hidden.size(1);
  at::Tensor qkv = Wqkv(hidden).view({batch, length, 3, num_heads, head_dim}).transpose(3, 1);  // [B, heads, 3, T, d]
  at::Tensor q = qkv.select(2, 0), k = qkv.select(2, 1), v = qkv.select(2, 2);
  auto [cos, sin] = rotary(length, head_dim, rope_theta, hidden);
  q = q * cos + rotate_half(q) * sin;
  k = k * cos + rotate_half(k) * sin;
  double lowest = lowest_value_of(hidden.scalar_type());
  at::Tensor mask = additive_padding_mask(attention_mask, hidden.scalar_type());  // [B, 1, 1, T]
  if (sliding) {  // keys more than local_attention / 2 tokens away are out of reach
    at::Tensor ids = at::arange(length, attention_mask.options().dtype(at::kLong));
    mask = mask.masked_fill((ids.unsqueeze(0) - ids.unsqueeze(1)).abs() > half_window, lowest);  // [B, 1, T, T]
  }
  at::Tensor scores = at::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_dim)) + mask;
  // HF's softmax in float32 for half types; float32 and float64 keep their own precision here.
  bool upcast = scores.scalar_type() == at::kHalf || scores.scalar_type() == at::kBFloat16;
  at::Tensor probs = upcast ? at::softmax(scores, -1, at::kFloat).to(scores.scalar_type()) : at::softmax(scores, -1);
  probs = at::dropout(probs, attention_dropout, is_training());
  return out_drop(Wo(merge_heads(at::matmul(probs, v))));
}

std::string ModernBertAttentionImpl::torchscript_forward() const {
  std::string lowest = torchscript_literal(std::numeric_limits<float>::lowest()), d = std::to_string(head_dim);
  std::string code =
      "def forward(self, hidden: Tensor, attention_mask: Tensor) -> Tensor:\n"
      "    batch = hidden.size(0)\n"
      "    length = hidden.size(1)\n"
      "    qkv = self.Wqkv.forward(hidden).view([batch, length, 3, " + std::to_string(num_heads) + ", " + d + "]).transpose(3, 1)\n"
      "    q = qkv.select(2, 0)\n"
      "    k = qkv.select(2, 1)\n"
      "    v = qkv.select(2, 2)\n"
      "    inv_freq = 1.0 / torch.pow(" + torchscript_literal(rope_theta) + ", torch.arange(0, " + d +
      ", 2, device=hidden.device).float() / " + d + ".0)\n"
      "    freqs = torch.arange(length, device=hidden.device).float().unsqueeze(1) * inv_freq.unsqueeze(0)\n"
      "    emb = torch.cat([freqs, freqs], -1)\n"
      "    cos = emb.cos().to(hidden.dtype)\n"
      "    sin = emb.sin().to(hidden.dtype)\n" +
      rotate_script("q", head_dim / 2) + rotate_script("k", head_dim / 2) +
      "    mask = (1.0 - attention_mask.unsqueeze(1).unsqueeze(2)) * " + lowest + "\n";
  if (sliding) {
    code += "    ids = torch.arange(length, device=hidden.device)\n"
            "    mask = mask.masked_fill(torch.abs(ids.unsqueeze(0) - ids.unsqueeze(1)) > " + std::to_string(half_window) +
            ", " + lowest + ")\n";
  }
  return code + "    scores = torch.matmul(q, k.transpose(-1, -2)) / " + torchscript_literal(std::sqrt(double(head_dim))) + " + mask\n"
                "    context = torch.matmul(torch.softmax(scores, -1), v)\n"
                "    return self.Wo.forward(context.transpose(1, 2).contiguous().view([batch, length, " +
                std::to_string(num_heads * head_dim) + "]))\n";
}

ModernBertMLPImpl::ModernBertMLPImpl(const ModernBertOptions& o) : activation(o.hidden_activation) {
  Wi = register_module("Wi", nn::Linear(nn::LinearOptions(o.hidden_size, 2 * o.intermediate_size).bias(o.mlp_bias)));
  Wo = register_module("Wo", nn::Linear(nn::LinearOptions(o.intermediate_size, o.hidden_size).bias(o.mlp_bias)));
  drop = register_module("drop", nn::Dropout(o.mlp_dropout));
}

at::Tensor ModernBertMLPImpl::forward(const at::Tensor& x) {
  auto halves = Wi(x).chunk(2, -1);  // input, gate
  return Wo(drop(activate(activation, halves[0]) * halves[1]));
}

std::string ModernBertMLPImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    halves = self.Wi.forward(x).chunk(2, -1)\n"
         "    return self.Wo.forward(" + activation_script(activation, "halves[0]") + " * halves[1])\n";
}

ModernBertEncoderLayerImpl::ModernBertEncoderLayerImpl(const ModernBertOptions& o, int64_t layer_id) {
  if (layer_id != 0) attn_norm = register_module("attn_norm", ModernBertNorm(o.hidden_size, o.norm_eps, o.norm_bias));
  attn = register_module("attn", ModernBertAttention(o, layer_id));
  mlp_norm = register_module("mlp_norm", ModernBertNorm(o.hidden_size, o.norm_eps, o.norm_bias));
  mlp = register_module("mlp", ModernBertMLP(o));
}

at::Tensor ModernBertEncoderLayerImpl::forward(const at::Tensor& hidden, const at::Tensor& attention_mask) {
  at::Tensor x = hidden + attn(attn_norm ? attn_norm(hidden) : hidden, attention_mask);
  return x + mlp(mlp_norm(x));
}

std::string ModernBertEncoderLayerImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor, attention_mask: Tensor) -> Tensor:\n"
         "    x = hidden + self.attn.forward(" + std::string(attn_norm ? "self.attn_norm.forward(hidden)" : "hidden") +
         ", attention_mask)\n"
         "    return x + self.mlp.forward(self.mlp_norm.forward(x))\n";
}

ModernBertModelImpl::ModernBertModelImpl(const ModernBertOptions& o) : options(o) {
  embeddings = register_module("embeddings", ModernBertEmbeddings(o));
  layers = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) layers->push_back(ModernBertEncoderLayer(o, i));
  final_norm = register_module("final_norm", ModernBertNorm(o.hidden_size, o.norm_eps, o.norm_bias));
}

TextEncoderOutput ModernBertModelImpl::encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  auto run = [](nn::Module& block, const at::Tensor& x, const at::Tensor& mask) {
    return static_cast<ModernBertEncoderLayerImpl&>(block).forward(x, mask);
  };
  at::Tensor hidden = embeddings(input_ids);
  at::Tensor mask = attention_mask.to(hidden.scalar_type());
  for (const auto& layer : *layers) hidden = run_layer(*layer, run, hidden, mask, gradient_checkpointing);
  return {final_norm(hidden), at::Tensor()};
}

std::string ModernBertModelImpl::torchscript_forward() const {
  std::string code = "def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tuple[Tensor, Tensor]:\n"
                     "    hidden = self.embeddings.forward(input_ids)\n"
                     "    mask = attention_mask.to(hidden.dtype)\n";
  for (size_t i = 0; i < layers->size(); ++i) code += "    hidden = " + script_item("self.layers", i) + ".forward(hidden, mask)\n";
  return code + "    hidden = self.final_norm.forward(hidden)\n    return hidden, hidden.select(1, 0)\n";
}

void ModernBertModelImpl::reset_parameters_like_hf(uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  double in = options.initializer_range, out = in / std::sqrt(2.0 * std::max<int64_t>(options.num_hidden_layers, 1));
  double cutoff = options.initializer_cutoff_factor;
  at::NoGradGuard no_grad;
  auto linear = [&](nn::Linear& l, double std) {
    trunc_normal(l->weight, std, cutoff, generator);
    if (l->bias.defined()) l->bias.zero_();
  };
  trunc_normal(embeddings->tok_embeddings->weight, in, cutoff, generator);
  for (const auto& module : modules(/*include_self=*/false)) {
    if (auto* attention = module->as<ModernBertAttention>()) {
      linear(attention->Wqkv, in);
      linear(attention->Wo, out);
    } else if (auto* mlp = module->as<ModernBertMLP>()) {
      linear(mlp->Wi, in);
      linear(mlp->Wo, out);
    } else if (auto* norm = module->as<ModernBertNorm>()) {
      norm->weight.fill_(1.0);
      if (norm->bias.defined()) norm->bias.zero_();
    }
  }
}

std::shared_ptr<TextEncoderImpl> make_modernbert(const HfConfig& config) {
  return std::make_shared<ModernBertModelImpl>(ModernBertOptions::from_config(config));
}

}  // namespace fdl
