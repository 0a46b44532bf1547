// The BERT encoder, step for step as HF's modeling_bert.py (eager attention): embeddings
// (word + token type + absolute position, LayerNorm, dropout), post-LN transformer layers with
// an additive large-negative attention mask, and the tanh pooler over the first token. Each
// module's TorchScript forward (evaluation mode) sits beside its C++ forward.
#include "nn/bert.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <cmath>
#include <limits>

#include "core/failure.h"
#include "nn/text_family_parts.h"
#include "nn/torchscript_code.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

nn::LayerNorm layer_norm(const BertOptions& o) {
  return nn::LayerNorm(nn::LayerNormOptions({o.hidden_size}).eps(o.layer_norm_eps));
}

const std::string kTensorIn = "def forward(self, x: Tensor) -> Tensor:\n";
const std::string kHiddenAndMask = "def forward(self, hidden: Tensor, additive_mask: Tensor) -> Tensor:\n";

}  // namespace

BertActivation bert_activation(const std::string& name, const std::string& field) {
  if (name == "gelu") return BertActivation::Gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return BertActivation::GeluTanh;
  if (name == "relu") return BertActivation::Relu;
  fail(FDL_ERR_UNSUPPORTED, "config.json " + field + " \"" + name +
                                "\" is not supported (expected gelu, gelu_new, gelu_pytorch_tanh or relu)");
}

at::Tensor apply_activation(BertActivation activation, const at::Tensor& x) {
  switch (activation) {
    case BertActivation::Gelu: return at::gelu(x);  // exact: 0.5 x (1 + erf(x / sqrt 2))
    case BertActivation::GeluTanh: return at::gelu(x, "tanh");
    case BertActivation::Relu: return at::relu(x);
  }
  TORCH_CHECK(false, "unknown BERT activation");
}

std::string activation_torchscript(BertActivation activation, const std::string& x) {
  switch (activation) {
    case BertActivation::Gelu: return "torch.gelu(" + x + ")";
    case BertActivation::GeluTanh: return "torch.gelu(" + x + ", approximate=\"tanh\")";
    case BertActivation::Relu: return "torch.relu(" + x + ")";
  }
  fail(FDL_ERR_INTERNAL, "unknown BERT activation");
}

BertOptions read_bert_options(const HfConfig& c, BertOptions o) {
  o.vocab_size = c.integer("vocab_size", o.vocab_size);
  o.hidden_size = c.integer("hidden_size", o.hidden_size);
  o.num_hidden_layers = c.integer("num_hidden_layers", o.num_hidden_layers);
  o.num_attention_heads = c.integer("num_attention_heads", o.num_attention_heads);
  o.intermediate_size = c.integer("intermediate_size", o.intermediate_size);
  if (c.has("hidden_act")) o.hidden_act = bert_activation(c.text("hidden_act", ""), "hidden_act");
  o.max_position_embeddings = c.integer("max_position_embeddings", o.max_position_embeddings);
  o.type_vocab_size = c.integer("type_vocab_size", o.type_vocab_size);
  o.layer_norm_eps = c.number("layer_norm_eps", o.layer_norm_eps);
  o.hidden_dropout_prob = c.number("hidden_dropout_prob", o.hidden_dropout_prob);
  o.attention_probs_dropout_prob = c.number("attention_probs_dropout_prob", o.attention_probs_dropout_prob);
  o.pad_token_id = c.integer("pad_token_id", o.pad_token_id);
  o.initializer_range = c.number("initializer_range", o.initializer_range);
  o.embedding_size = c.integer("embedding_size", o.embedding_size);
  std::string embedding_type = c.text("position_embedding_type", "absolute");
  if (embedding_type != "absolute") {
    fail(FDL_ERR_UNSUPPORTED, "config.json position_embedding_type \"" + embedding_type +
                                  "\" is not supported (only \"absolute\")");
  }
  try {
    o.validate();
  } catch (const c10::Error& e) {
    fail(FDL_ERR_INVALID_ARGUMENT, "config.json (" + c.model_type() + "): " + e.msg());
  }
  return o;
}

std::shared_ptr<TextEncoderImpl> make_bert(const HfConfig& config) {
  return std::make_shared<BertModelImpl>(read_bert_options(config, BertOptions{}));
}

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
  TORCH_CHECK(embedding_size >= 0, "embedding_size must be positive, got ", embedding_size);
  TORCH_CHECK(position_ids == PositionIds::Absolute || max_position_embeddings > pad_token_id + 1,
              "max_position_embeddings (", max_position_embeddings, ") must exceed pad_token_id + 1 (",
              pad_token_id + 1, "): positions start after the padding id");
}

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertOptions& o) : position_ids(o.position_ids), pad_token_id(o.pad_token_id) {
  int64_t width = o.embedding_width();
  auto words = nn::EmbeddingOptions(o.vocab_size, width);
  if (o.pad_token_id >= 0) words.padding_idx(o.pad_token_id);
  auto positions = nn::EmbeddingOptions(o.max_position_embeddings, width);
  if (o.position_ids == PositionIds::AfterPadding) positions.padding_idx(o.pad_token_id);  // as RobertaEmbeddings
  word_embeddings = register_module("word_embeddings", nn::Embedding(words));
  position_embeddings = register_module("position_embeddings", nn::Embedding(positions));
  token_type_embeddings = register_module("token_type_embeddings", nn::Embedding(o.type_vocab_size, width));
  LayerNorm = register_module("LayerNorm", nn::LayerNorm(nn::LayerNormOptions({width}).eps(o.layer_norm_eps)));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor BertEmbeddingsImpl::forward(const at::Tensor& input_ids, const at::Tensor& token_type_ids) {
  at::Tensor positions;
  if (position_ids == PositionIds::AfterPadding) {
    at::Tensor real = input_ids.ne(pad_token_id).to(at::kLong);  // [B, T]
    positions = at::cumsum(real, 1) * real + pad_token_id;
  } else {
    positions = at::arange(input_ids.size(1), input_ids.options()).unsqueeze(0);  // [1, T]
  }
  at::Tensor embeddings = word_embeddings(input_ids) + token_type_embeddings(token_type_ids);  // [B, T, E]
  embeddings = embeddings + position_embeddings(positions);  // HF's order of additions
  return dropout(LayerNorm(embeddings));
}

std::string BertEmbeddingsImpl::torchscript_forward() const {
  std::string positions =
      position_ids == PositionIds::AfterPadding
          ? "    real = input_ids.ne(" + std::to_string(pad_token_id) + ").to(input_ids.dtype)\n"
            "    positions = torch.cumsum(real, 1) * real + " + std::to_string(pad_token_id) + "\n"
          : "    positions = torch.arange(input_ids.size(1), dtype=input_ids.dtype, device=input_ids.device)"
            ".unsqueeze(0)\n";
  return "def forward(self, input_ids: Tensor, token_type_ids: Tensor) -> Tensor:\n" + positions +
         "    embeddings = self.word_embeddings.forward(input_ids) + self.token_type_embeddings.forward(token_type_ids)\n"
         "    embeddings = embeddings + self.position_embeddings.forward(positions)\n"
         "    return self.LayerNorm.forward(embeddings)\n";
}

at::Tensor multi_head_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                const at::Tensor& additive_mask, int64_t num_heads, double dropout_p) {
  int64_t batch = q.size(0), length = q.size(1), width = q.size(2);
  auto heads = [&](const at::Tensor& x) {  // [B, T, H] -> [B, heads, T, head_size]
    return x.view({batch, length, num_heads, width / num_heads}).transpose(1, 2);
  };
  // LibTorch's fused attention (HF's "sdpa" implementation): softmax(q k^T / sqrt(d) + mask) v with
  // the same additive mask, and attention dropout only in training, without the [B, h, T, T] scores.
  at::Tensor context = at::scaled_dot_product_attention(heads(q), heads(k), heads(v), additive_mask, dropout_p);
  return context.transpose(1, 2).contiguous().view({batch, length, width});  // [B, T, H]
}

std::string multi_head_attention_torchscript(const std::string& q, const std::string& k, const std::string& v,
                                             int64_t num_heads, int64_t head_size) {
  std::string split = ".view([batch, length, " + std::to_string(num_heads) + ", " + std::to_string(head_size) +
                      "]).transpose(1, 2)\n";
  return "    batch = hidden.size(0)\n"
         "    length = hidden.size(1)\n"
         "    q = " + q + split + "    k = " + k + split + "    v = " + v + split +
         "    scores = torch.matmul(q, k.transpose(-1, -2)) / " +
         torchscript_literal(std::sqrt(static_cast<double>(head_size))) + "\n"
         "    probs = torch.softmax(scores + additive_mask, -1)\n"
         "    context = torch.matmul(probs, v)\n"
         "    return context.transpose(1, 2).contiguous().view([batch, length, " +
         std::to_string(num_heads * head_size) + "])\n";
}

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertOptions& o)
    : num_heads(o.num_attention_heads), head_size(o.hidden_size / o.num_attention_heads) {
  query = register_module("query", nn::Linear(o.hidden_size, o.hidden_size));
  key = register_module("key", nn::Linear(o.hidden_size, o.hidden_size));
  value = register_module("value", nn::Linear(o.hidden_size, o.hidden_size));
  dropout = register_module("dropout", nn::Dropout(o.attention_probs_dropout_prob));
}

at::Tensor BertSelfAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  double dropout_p = is_training() ? dropout->options.p() : 0.0;
  return multi_head_attention(query(hidden), key(hidden), value(hidden), additive_mask, num_heads, dropout_p);
}

std::string BertSelfAttentionImpl::torchscript_forward() const {
  return kHiddenAndMask + multi_head_attention_torchscript("self.query.forward(hidden)", "self.key.forward(hidden)",
                                                           "self.value.forward(hidden)", num_heads, head_size);
}

BertResidualOutputImpl::BertResidualOutputImpl(int64_t in_features, const BertOptions& o) {
  dense = register_module("dense", nn::Linear(in_features, o.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(o));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor BertResidualOutputImpl::forward(const at::Tensor& hidden, const at::Tensor& residual) {
  return LayerNorm(dropout(dense(hidden)) + residual);
}

std::string BertResidualOutputImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor, residual: Tensor) -> Tensor:\n"
         "    return self.LayerNorm.forward(self.dense.forward(hidden) + residual)\n";
}

BertAttentionImpl::BertAttentionImpl(const BertOptions& o) {
  self_attention = register_module("self", BertSelfAttention(o));
  output = register_module("output", BertResidualOutput(o.hidden_size, o));
}

at::Tensor BertAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  return output(self_attention(hidden, additive_mask), hidden);
}

std::string BertAttentionImpl::torchscript_forward() const {
  return kHiddenAndMask + "    return self.output.forward(" + torchscript_child("self", "self") +
         ".forward(hidden, additive_mask), hidden)\n";
}

BertIntermediateImpl::BertIntermediateImpl(const BertOptions& o) : activation(o.hidden_act) {
  dense = register_module("dense", nn::Linear(o.hidden_size, o.intermediate_size));
}

at::Tensor BertIntermediateImpl::forward(const at::Tensor& hidden) { return apply_activation(activation, dense(hidden)); }

std::string BertIntermediateImpl::torchscript_forward() const {
  return kTensorIn + "    return " + activation_torchscript(activation, "self.dense.forward(x)") + "\n";
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

std::string BertLayerImpl::torchscript_forward() const {
  return kHiddenAndMask +
         "    attended = self.attention.forward(hidden, additive_mask)\n"
         "    return self.output.forward(self.intermediate.forward(attended), attended)\n";
}

BertEncoderImpl::BertEncoderImpl(const BertOptions& o) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) layer->push_back(BertLayer(o));
}

at::Tensor BertEncoderImpl::forward(at::Tensor hidden, const at::Tensor& additive_mask) {
  return run_layers<BertLayerImpl>(layer, std::move(hidden), additive_mask, gradient_checkpointing && is_training());
}

std::string layers_torchscript(size_t count) {
  std::string code = kHiddenAndMask;
  for (size_t i = 0; i < count; ++i) {
    code += "    hidden = " + torchscript_child("self.layer", std::to_string(i)) + ".forward(hidden, additive_mask)\n";
  }
  return code + "    return hidden\n";
}

std::string BertEncoderImpl::torchscript_forward() const { return layers_torchscript(layer->size()); }

BertPoolerImpl::BertPoolerImpl(const BertOptions& o) {
  dense = register_module("dense", nn::Linear(o.hidden_size, o.hidden_size));
}

at::Tensor BertPoolerImpl::forward(const at::Tensor& hidden) {
  return at::tanh(dense(hidden.select(1, 0)));
}

std::string BertPoolerImpl::torchscript_forward() const {
  return kTensorIn + "    return torch.tanh(self.dense.forward(x.select(1, 0)))\n";
}

BertModelImpl::BertModelImpl(const BertOptions& o) : options(o) {
  options.validate();
  embeddings = register_module("embeddings", BertEmbeddings(o));
  if (o.embedding_width() != o.hidden_size) {
    embeddings_project = register_module("embeddings_project", nn::Linear(o.embedding_width(), o.hidden_size));
  }
  encoder = register_module("encoder", BertEncoder(o));
  if (o.add_pooling_layer) pooler = register_module("pooler", BertPooler(o));
}

TextEncoderOutput BertModelImpl::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                                         const at::Tensor& token_type_ids) {
  at::Tensor types = token_type_ids.defined() ? token_type_ids : at::zeros_like(input_ids);
  at::Tensor hidden = embeddings(input_ids, types);                 // [B, T, E]
  if (embeddings_project) hidden = embeddings_project(hidden);      // [B, T, H]
  hidden = encoder(hidden, additive_padding_mask(attention_mask, hidden.scalar_type()));  // [B, T, H]
  return {hidden, pooler ? pooler(hidden) : at::Tensor()};
}

int64_t BertModelImpl::max_sequence_length() const {
  // RoBERTa's positions start at pad_token_id + 1 (HF's create_position_ids_from_input_ids).
  return options.position_ids == PositionIds::AfterPadding ? options.max_position_embeddings - options.pad_token_id - 1
                                                           : options.max_position_embeddings;
}

std::string BertModelImpl::torchscript_forward() const {
  return "def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tuple[Tensor, Tensor]:\n"
         "    hidden = self.embeddings.forward(input_ids, torch.zeros_like(input_ids))\n" +
         std::string(embeddings_project ? "    hidden = self.embeddings_project.forward(hidden)\n" : "") +
         torchscript_additive_mask("attention_mask", "hidden") +
         "    hidden = self.encoder.forward(hidden, additive_mask)\n" +
         (pooler ? "    return hidden, self.pooler.forward(hidden)\n" : "    return hidden, hidden.select(1, 0)\n");
}

void BertModelImpl::reset_parameters_like_hf(uint64_t seed) {
  fdl::reset_parameters_like_hf(*this, options.initializer_range, seed);
}

void reset_parameters_like_hf(nn::Module& root, double std, uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  auto normal = [&](at::Tensor& weight) {  // drawn on the CPU, so the values do not depend on the device
    weight.copy_(at::empty(weight.sizes(), weight.options().device(at::kCPU)).normal_(0.0, std, generator));
  };
  at::NoGradGuard no_grad;
  for (const auto& module : root.modules(/*include_self=*/false)) {
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
