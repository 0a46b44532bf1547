// ALBERT step for step as HF's modeling_albert.py (AlbertModel, eager attention math).
#include "nn/albert.h"

#include <cmath>
#include <limits>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

nn::LayerNorm layer_norm(int64_t size, double eps) { return nn::LayerNorm(nn::LayerNormOptions({size}).eps(eps)); }

}  // namespace

AlbertOptions AlbertOptions::from_config(const HfConfig& c) {
  AlbertOptions o;
  o.vocab_size = read_at_least(c, "vocab_size", o.vocab_size, 1);
  o.embedding_size = read_at_least(c, "embedding_size", o.embedding_size, 1);
  o.hidden_size = read_at_least(c, "hidden_size", o.hidden_size, 1);
  o.num_hidden_layers = read_at_least(c, "num_hidden_layers", o.num_hidden_layers, 0);
  o.num_hidden_groups = read_at_least(c, "num_hidden_groups", o.num_hidden_groups, 1);
  o.num_attention_heads = read_at_least(c, "num_attention_heads", o.num_attention_heads, 1);
  o.intermediate_size = read_at_least(c, "intermediate_size", o.intermediate_size, 1);
  o.inner_group_num = read_at_least(c, "inner_group_num", o.inner_group_num, 1);
  o.hidden_act = read_activation(c, "hidden_act", "gelu_new");
  o.hidden_dropout_prob = read_probability(c, "hidden_dropout_prob", o.hidden_dropout_prob);
  o.attention_probs_dropout_prob = read_probability(c, "attention_probs_dropout_prob", o.attention_probs_dropout_prob);
  o.max_position_embeddings = read_at_least(c, "max_position_embeddings", o.max_position_embeddings, 1);
  o.type_vocab_size = read_at_least(c, "type_vocab_size", o.type_vocab_size, 1);
  o.initializer_range = c.number("initializer_range", o.initializer_range);
  o.layer_norm_eps = c.number("layer_norm_eps", o.layer_norm_eps);
  o.pad_token_id = c.integer("pad_token_id", o.pad_token_id);
  require_heads_divide(o.hidden_size, o.num_attention_heads, "albert");
  require(o.num_hidden_groups <= std::max<int64_t>(o.num_hidden_layers, 1),
          "albert config.json num_hidden_groups (" + std::to_string(o.num_hidden_groups) +
              ") must not exceed num_hidden_layers (" + std::to_string(o.num_hidden_layers) + ")");
  require(o.pad_token_id >= 0 && o.pad_token_id < o.vocab_size,
          "config.json pad_token_id must lie in [0, vocab_size), got " + std::to_string(o.pad_token_id));
  require(o.layer_norm_eps > 0, "config.json layer_norm_eps must be positive");
  std::string positions = c.text("position_embedding_type", "absolute");
  if (positions != "absolute") {
    fail(FDL_ERR_UNSUPPORTED, "albert config.json position_embedding_type \"" + positions +
                                  "\" is not supported (only \"absolute\")");
  }
  return o;
}

AlbertEmbeddingsImpl::AlbertEmbeddingsImpl(const AlbertOptions& o) {
  word_embeddings = register_module(
      "word_embeddings", nn::Embedding(nn::EmbeddingOptions(o.vocab_size, o.embedding_size).padding_idx(o.pad_token_id)));
  position_embeddings = register_module("position_embeddings", nn::Embedding(o.max_position_embeddings, o.embedding_size));
  token_type_embeddings = register_module("token_type_embeddings", nn::Embedding(o.type_vocab_size, o.embedding_size));
  LayerNorm = register_module("LayerNorm", layer_norm(o.embedding_size, o.layer_norm_eps));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor AlbertEmbeddingsImpl::forward(const at::Tensor& input_ids) {
  at::Tensor positions = at::arange(input_ids.size(1), input_ids.options()).unsqueeze(0);  // [1, T]
  at::Tensor x = word_embeddings(input_ids) + token_type_embeddings(at::zeros_like(input_ids));
  return dropout(LayerNorm(x + position_embeddings(positions)));  // HF's order of additions
}

std::string AlbertEmbeddingsImpl::torchscript_forward() const {
  return "def forward(self, input_ids: Tensor) -> Tensor:\n"
         "    positions = torch.arange(input_ids.size(1), dtype=input_ids.dtype, device=input_ids.device).unsqueeze(0)\n"
         "    x = self.word_embeddings.forward(input_ids) + self.token_type_embeddings.forward(torch.zeros_like(input_ids))\n"
         "    return self.LayerNorm.forward(x + self.position_embeddings.forward(positions))\n";
}

AlbertAttentionImpl::AlbertAttentionImpl(const AlbertOptions& o)
    : num_heads(o.num_attention_heads), attention_dropout_p(o.attention_probs_dropout_prob) {
  query = register_module("query", nn::Linear(o.hidden_size, o.hidden_size));
  key = register_module("key", nn::Linear(o.hidden_size, o.hidden_size));
  value = register_module("value", nn::Linear(o.hidden_size, o.hidden_size));
  dense = register_module("dense", nn::Linear(o.hidden_size, o.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(o.hidden_size, o.layer_norm_eps));
  output_dropout = register_module("output_dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor AlbertAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  at::Tensor q = split_heads(query(hidden), num_heads), k = split_heads(key(hidden), num_heads),
             v = split_heads(value(hidden), num_heads);
  // softmax(q k^T / sqrt(d) + mask) v, as HF's eager path, fused; attention dropout only in training.
  at::Tensor context = at::scaled_dot_product_attention(q, k, v, additive_mask, is_training() ? attention_dropout_p : 0.0);
  return LayerNorm(hidden + output_dropout(dense(merge_heads(context))));
}

std::string AlbertAttentionImpl::torchscript_forward() const {
  int64_t size = query->options.out_features();
  std::string shape = "[batch, length, " + std::to_string(num_heads) + ", " + std::to_string(size / num_heads) + "]";
  return "def forward(self, hidden: Tensor, additive_mask: Tensor) -> Tensor:\n"
         "    batch = hidden.size(0)\n"
         "    length = hidden.size(1)\n"
         "    q = self.query.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
         "    k = self.key.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
         "    v = self.value.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
         "    scores = torch.matmul(q, k.transpose(-1, -2)) / " + torchscript_literal(std::sqrt(double(size / num_heads))) + "\n"
         "    context = torch.matmul(torch.softmax(scores + additive_mask, -1), v)\n"
         "    context = context.transpose(1, 2).contiguous().view([batch, length, " + std::to_string(size) + "])\n"
         "    return self.LayerNorm.forward(hidden + self.dense.forward(context))\n";
}

AlbertLayerImpl::AlbertLayerImpl(const AlbertOptions& o) : activation(o.hidden_act) {
  full_layer_layer_norm = register_module("full_layer_layer_norm", layer_norm(o.hidden_size, o.layer_norm_eps));
  attention = register_module("attention", AlbertAttention(o));
  ffn = register_module("ffn", nn::Linear(o.hidden_size, o.intermediate_size));
  ffn_output = register_module("ffn_output", nn::Linear(o.intermediate_size, o.hidden_size));
}

at::Tensor AlbertLayerImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  at::Tensor attended = attention(hidden, additive_mask);
  // HF's AlbertLayer has a dropout module but its forward never applies it.
  return full_layer_layer_norm(ffn_output(activate(activation, ffn(attended))) + attended);
}

std::string AlbertLayerImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor, additive_mask: Tensor) -> Tensor:\n"
         "    attended = self.attention.forward(hidden, additive_mask)\n"
         "    x = self.ffn_output.forward(" + activation_script(activation, "self.ffn.forward(attended)") + ")\n"
         "    return self.full_layer_layer_norm.forward(x + attended)\n";
}

AlbertLayerGroupImpl::AlbertLayerGroupImpl(const AlbertOptions& o) {
  albert_layers = register_module("albert_layers", nn::ModuleList());
  for (int64_t i = 0; i < o.inner_group_num; ++i) albert_layers->push_back(AlbertLayer(o));
}

at::Tensor AlbertLayerGroupImpl::forward(at::Tensor hidden, const at::Tensor& additive_mask) {
  for (const auto& layer : *albert_layers) hidden = layer->as<AlbertLayer>()->forward(hidden, additive_mask);
  return hidden;
}

std::string AlbertLayerGroupImpl::torchscript_forward() const {
  std::string code = "def forward(self, hidden: Tensor, additive_mask: Tensor) -> Tensor:\n";
  for (size_t i = 0; i < albert_layers->size(); ++i)
    code += "    hidden = " + script_item("self.albert_layers", i) + ".forward(hidden, additive_mask)\n";
  return code + "    return hidden\n";
}

AlbertTransformerImpl::AlbertTransformerImpl(const AlbertOptions& o)
    : num_hidden_layers(o.num_hidden_layers), num_hidden_groups(o.num_hidden_groups) {
  embedding_hidden_mapping_in = register_module("embedding_hidden_mapping_in", nn::Linear(o.embedding_size, o.hidden_size));
  albert_layer_groups = register_module("albert_layer_groups", nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_groups; ++i) albert_layer_groups->push_back(AlbertLayerGroup(o));
}

int64_t AlbertTransformerImpl::group_of(int64_t step) const {
  return static_cast<int64_t>(static_cast<double>(step) /
                              (static_cast<double>(num_hidden_layers) / static_cast<double>(num_hidden_groups)));
}

at::Tensor AlbertTransformerImpl::forward(const at::Tensor& embedded, const at::Tensor& additive_mask) {
  auto run = [](nn::Module& group, const at::Tensor& x, const at::Tensor& mask) {
    return static_cast<AlbertLayerGroupImpl&>(group).forward(x, mask);
  };
  at::Tensor hidden = embedding_hidden_mapping_in(embedded);
  for (int64_t i = 0; i < num_hidden_layers; ++i)
    hidden = run_layer(*albert_layer_groups[group_of(i)], run, hidden, additive_mask, gradient_checkpointing);
  return hidden;
}

std::string AlbertTransformerImpl::torchscript_forward() const {
  std::string code = "def forward(self, embedded: Tensor, additive_mask: Tensor) -> Tensor:\n"
                     "    hidden = self.embedding_hidden_mapping_in.forward(embedded)\n";
  for (int64_t i = 0; i < num_hidden_layers; ++i)
    code += "    hidden = " + script_item("self.albert_layer_groups", group_of(i)) + ".forward(hidden, additive_mask)\n";
  return code + "    return hidden\n";
}

AlbertModelImpl::AlbertModelImpl(const AlbertOptions& o) : options(o) {
  embeddings = register_module("embeddings", AlbertEmbeddings(o));
  encoder = register_module("encoder", AlbertTransformer(o));
  pooler = register_module("pooler", nn::Linear(o.hidden_size, o.hidden_size));
}

TextEncoderOutput AlbertModelImpl::encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  at::Tensor embedded = embeddings(input_ids);
  at::Tensor hidden = encoder(embedded, additive_padding_mask(attention_mask, embedded.scalar_type()));
  return {hidden, at::tanh(pooler(hidden.select(1, 0)))};
}

std::string AlbertModelImpl::torchscript_forward() const {
  // HF's extended attention mask, (1 - mask) * finfo(float32).min: the export's weights are float32.
  return "def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tuple[Tensor, Tensor]:\n"
         "    embedded = self.embeddings.forward(input_ids)\n"
         "    keep = attention_mask.to(embedded.dtype).unsqueeze(1).unsqueeze(2)\n"
         "    hidden = self.encoder.forward(embedded, (1.0 - keep) * " +
         torchscript_literal(std::numeric_limits<float>::lowest()) + ")\n"
         "    return hidden, torch.tanh(self.pooler.forward(hidden.select(1, 0)))\n";
}

void AlbertModelImpl::reset_parameters_like_hf(uint64_t seed) { normal_init_like_hf(*this, options.initializer_range, seed); }

std::shared_ptr<TextEncoderImpl> make_albert(const HfConfig& config) {
  return std::make_shared<AlbertModelImpl>(AlbertOptions::from_config(config));
}

}  // namespace fdl
