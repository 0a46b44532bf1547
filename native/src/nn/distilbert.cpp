// DistilBERT, step for step as HF's modeling_distilbert.py. Its attention is BERT's math (the
// query scaled by 1/sqrt(head size) before q k^T, masked positions at finfo.min) and shares
// multi_head_attention; the layers differ from BERT's only in names and where the norms sit.
#include "nn/distilbert.h"

#include <cmath>

#include "core/failure.h"
#include "nn/text_family_parts.h"
#include "nn/torchscript_code.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

const std::string kHiddenAndMask = "def forward(self, hidden: Tensor, additive_mask: Tensor) -> Tensor:\n";

// HF's DistilBERT LayerNorms all use eps 1e-12 (not a config field).
nn::LayerNorm layer_norm(int64_t dim) { return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-12)); }

void require_field(bool cond, const std::string& field, const std::string& what) {
  require(cond, "config.json (distilbert) " + field + " " + what);
}

}  // namespace

void DistilBertOptions::validate() const {
  require_field(vocab_size > 0, "vocab_size", "must be positive, got " + std::to_string(vocab_size));
  require_field(dim > 0 && n_heads > 0 && dim % n_heads == 0, "dim",
                "(" + std::to_string(dim) + ") must be a positive multiple of n_heads (" + std::to_string(n_heads) + ")");
  require_field(n_layers >= 0, "n_layers", "must be >= 0, got " + std::to_string(n_layers));
  require_field(hidden_dim > 0, "hidden_dim", "must be positive, got " + std::to_string(hidden_dim));
  require_field(max_position_embeddings > 0, "max_position_embeddings",
                "must be positive, got " + std::to_string(max_position_embeddings));
  require_field(dropout >= 0 && dropout < 1, "dropout", "must lie in [0, 1), got " + std::to_string(dropout));
  require_field(attention_dropout >= 0 && attention_dropout < 1, "attention_dropout",
                "must lie in [0, 1), got " + std::to_string(attention_dropout));
  require_field(pad_token_id >= -1 && pad_token_id < vocab_size, "pad_token_id",
                "must be -1 (none) or lie in [0, vocab_size), got " + std::to_string(pad_token_id));
  require_field(initializer_range >= 0, "initializer_range", "must be >= 0");
}

DistilBertOptions read_distilbert_options(const HfConfig& c) {
  DistilBertOptions o;
  o.vocab_size = c.integer("vocab_size", o.vocab_size);
  o.max_position_embeddings = c.integer("max_position_embeddings", o.max_position_embeddings);
  o.sinusoidal_pos_embds = c.flag("sinusoidal_pos_embds", o.sinusoidal_pos_embds);
  o.n_layers = c.integer("n_layers", o.n_layers);
  o.n_heads = c.integer("n_heads", o.n_heads);
  o.dim = c.integer("dim", o.dim);
  o.hidden_dim = c.integer("hidden_dim", o.hidden_dim);
  o.dropout = c.number("dropout", o.dropout);
  o.attention_dropout = c.number("attention_dropout", o.attention_dropout);
  if (c.has("activation")) o.activation = bert_activation(c.text("activation", ""), "activation");
  o.initializer_range = c.number("initializer_range", o.initializer_range);
  o.pad_token_id = c.integer("pad_token_id", o.pad_token_id);
  o.validate();
  return o;
}

std::shared_ptr<TextEncoderImpl> make_distilbert(const HfConfig& config) {
  return std::make_shared<DistilBertModelImpl>(read_distilbert_options(config));
}

DistilBertEmbeddingsImpl::DistilBertEmbeddingsImpl(const DistilBertOptions& o) : sinusoidal(o.sinusoidal_pos_embds) {
  auto words = nn::EmbeddingOptions(o.vocab_size, o.dim);
  if (o.pad_token_id >= 0) words.padding_idx(o.pad_token_id);
  word_embeddings = register_module("word_embeddings", nn::Embedding(words));
  position_embeddings = register_module("position_embeddings", nn::Embedding(o.max_position_embeddings, o.dim));
  LayerNorm = register_module("LayerNorm", layer_norm(o.dim));
  dropout = register_module("dropout", nn::Dropout(o.dropout));
  if (sinusoidal) fill_sinusoids();
}

void DistilBertEmbeddingsImpl::fill_sinusoids() {
  at::Tensor& table = position_embeddings->weight;  // [positions, dim]
  int64_t dim = table.size(1);
  // angle[pos, j] = pos / 10000^(2 (j // 2) / dim), in float64 as HF's numpy; sin on even j, cos on odd.
  at::Tensor pos = at::arange(table.size(0), at::kDouble).unsqueeze(1);
  at::Tensor pair = at::floor_divide(at::arange(dim, at::kDouble), 2);
  at::Tensor angle = pos / at::pow(10000.0, 2.0 * pair / static_cast<double>(dim));
  at::Tensor values = at::where(at::arange(dim).remainder(2).eq(0).unsqueeze(0), at::sin(angle), at::cos(angle));
  at::NoGradGuard no_grad;
  table.copy_(values.to(at::kFloat).to(table.options()));  // HF goes through a FloatTensor
  table.set_requires_grad(false);
}

at::Tensor DistilBertEmbeddingsImpl::forward(const at::Tensor& input_ids) {
  at::Tensor positions = at::arange(input_ids.size(1), input_ids.options()).unsqueeze(0);  // [1, T]
  return dropout(LayerNorm(word_embeddings(input_ids) + position_embeddings(positions)));  // [B, T, dim]
}

std::string DistilBertEmbeddingsImpl::torchscript_forward() const {
  return "def forward(self, input_ids: Tensor) -> Tensor:\n"
         "    positions = torch.arange(input_ids.size(1), dtype=input_ids.dtype, device=input_ids.device)"
         ".unsqueeze(0)\n"
         "    return self.LayerNorm.forward(self.word_embeddings.forward(input_ids) + "
         "self.position_embeddings.forward(positions))\n";
}

DistilBertAttentionImpl::DistilBertAttentionImpl(const DistilBertOptions& o) : n_heads(o.n_heads), dim(o.dim) {
  q_lin = register_module("q_lin", nn::Linear(o.dim, o.dim));
  k_lin = register_module("k_lin", nn::Linear(o.dim, o.dim));
  v_lin = register_module("v_lin", nn::Linear(o.dim, o.dim));
  out_lin = register_module("out_lin", nn::Linear(o.dim, o.dim));
  dropout = register_module("dropout", nn::Dropout(o.attention_dropout));
}

at::Tensor DistilBertAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  double dropout_p = is_training() ? dropout->options.p() : 0.0;
  return out_lin(multi_head_attention(q_lin(hidden), k_lin(hidden), v_lin(hidden), additive_mask, n_heads, dropout_p));
}

std::string DistilBertAttentionImpl::torchscript_forward() const {
  // multi_head_attention_torchscript returns the context; the output projection follows it.
  return kHiddenAndMask + "    return self.out_lin.forward(self.attend(hidden, additive_mask))\n\n"
         "def attend(self, hidden: Tensor, additive_mask: Tensor) -> Tensor:\n" +
         multi_head_attention_torchscript("self.q_lin.forward(hidden)", "self.k_lin.forward(hidden)",
                                          "self.v_lin.forward(hidden)", n_heads, dim / n_heads);
}

DistilBertFfnImpl::DistilBertFfnImpl(const DistilBertOptions& o) : activation(o.activation) {
  lin1 = register_module("lin1", nn::Linear(o.dim, o.hidden_dim));
  lin2 = register_module("lin2", nn::Linear(o.hidden_dim, o.dim));
  dropout = register_module("dropout", nn::Dropout(o.dropout));
}

at::Tensor DistilBertFfnImpl::forward(const at::Tensor& hidden) {
  return dropout(lin2(apply_activation(activation, lin1(hidden))));
}

std::string DistilBertFfnImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n    return self.lin2.forward(" +
         activation_torchscript(activation, "self.lin1.forward(x)") + ")\n";
}

DistilBertBlockImpl::DistilBertBlockImpl(const DistilBertOptions& o) {
  attention = register_module("attention", DistilBertAttention(o));
  sa_layer_norm = register_module("sa_layer_norm", layer_norm(o.dim));
  ffn = register_module("ffn", DistilBertFfn(o));
  output_layer_norm = register_module("output_layer_norm", layer_norm(o.dim));
}

at::Tensor DistilBertBlockImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  at::Tensor attended = sa_layer_norm(attention(hidden, additive_mask) + hidden);
  return output_layer_norm(ffn(attended) + attended);
}

std::string DistilBertBlockImpl::torchscript_forward() const {
  return kHiddenAndMask +
         "    attended = self.sa_layer_norm.forward(self.attention.forward(hidden, additive_mask) + hidden)\n"
         "    return self.output_layer_norm.forward(self.ffn.forward(attended) + attended)\n";
}

DistilBertTransformerImpl::DistilBertTransformerImpl(const DistilBertOptions& o) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < o.n_layers; ++i) layer->push_back(DistilBertBlock(o));
}

at::Tensor DistilBertTransformerImpl::forward(at::Tensor hidden, const at::Tensor& additive_mask) {
  return run_layers<DistilBertBlockImpl>(layer, std::move(hidden), additive_mask,
                                         gradient_checkpointing && is_training());
}

std::string DistilBertTransformerImpl::torchscript_forward() const { return layers_torchscript(layer->size()); }

DistilBertModelImpl::DistilBertModelImpl(const DistilBertOptions& o) : options(o) {
  options.validate();
  embeddings = register_module("embeddings", DistilBertEmbeddings(o));
  transformer = register_module("transformer", DistilBertTransformer(o));
}

TextEncoderOutput DistilBertModelImpl::encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  at::Tensor hidden = embeddings(input_ids);  // [B, T, dim]
  return {transformer(hidden, additive_padding_mask(attention_mask, hidden.scalar_type())), at::Tensor()};
}

void DistilBertModelImpl::reset_parameters_like_hf(uint64_t seed) {
  fdl::reset_parameters_like_hf(*this, options.initializer_range, seed);
  if (options.sinusoidal_pos_embds) embeddings->fill_sinusoids();
}

std::string DistilBertModelImpl::torchscript_forward() const {
  return "def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tuple[Tensor, Tensor]:\n"
         "    hidden = self.embeddings.forward(input_ids)\n" +
         torchscript_additive_mask("attention_mask", "hidden") +
         "    hidden = self.transformer.forward(hidden, additive_mask)\n"
         "    return hidden, hidden.select(1, 0)\n";
}

}  // namespace fdl
