// DeBERTa-v2 step for step as HF's modeling_deberta_v2.py (DebertaV2Model, eager attention).
#include "nn/deberta_v2.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

nn::LayerNorm layer_norm(const DebertaV2Options& o) {
  return nn::LayerNorm(nn::LayerNormOptions({o.hidden_size}).eps(o.layer_norm_eps));
}

// log((max_position - 1) / mid) in float32, as HF's torch.log(torch.tensor(...)).
float bucket_log_denominator(int64_t bucket_size, int64_t max_position) {
  return std::log(static_cast<float>(static_cast<double>(max_position - 1) / static_cast<double>(bucket_size / 2)));
}

std::string lowest_float() { return torchscript_literal(std::numeric_limits<float>::lowest()); }

}  // namespace

DebertaV2Options DebertaV2Options::from_config(const HfConfig& c) {
  DebertaV2Options o;
  o.vocab_size = read_at_least(c, "vocab_size", o.vocab_size, 1);
  o.hidden_size = read_at_least(c, "hidden_size", o.hidden_size, 1);
  o.embedding_size = read_at_least(c, "embedding_size", o.hidden_size, 1);
  o.num_hidden_layers = read_at_least(c, "num_hidden_layers", o.num_hidden_layers, 0);
  o.num_attention_heads = read_at_least(c, "num_attention_heads", o.num_attention_heads, 1);
  o.intermediate_size = read_at_least(c, "intermediate_size", o.intermediate_size, 1);
  o.hidden_act = read_activation(c, "hidden_act", "gelu");
  o.hidden_dropout_prob = read_probability(c, "hidden_dropout_prob", o.hidden_dropout_prob);
  o.attention_probs_dropout_prob = read_probability(c, "attention_probs_dropout_prob", o.attention_probs_dropout_prob);
  o.max_position_embeddings = read_at_least(c, "max_position_embeddings", o.max_position_embeddings, 1);
  o.type_vocab_size = read_at_least(c, "type_vocab_size", o.type_vocab_size, 0);
  o.initializer_range = c.number("initializer_range", o.initializer_range);
  o.layer_norm_eps = c.number("layer_norm_eps", o.layer_norm_eps);
  o.pad_token_id = c.integer("pad_token_id", o.pad_token_id);
  o.position_biased_input = c.flag("position_biased_input", o.position_biased_input);
  o.relative_attention = c.flag("relative_attention", o.relative_attention);
  o.max_relative_positions = c.integer("max_relative_positions", -1);
  if (o.max_relative_positions < 1) o.max_relative_positions = o.max_position_embeddings;
  o.position_buckets = c.integer("position_buckets", o.position_buckets);
  for (std::string type : c.texts("pos_att_type", {})) {
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (type == "c2p") {
      o.c2p = true;
    } else if (type == "p2c") {
      o.p2c = true;
    } else if (type != "none") {
      fail(FDL_ERR_UNSUPPORTED, "deberta-v2 config.json pos_att_type \"" + type + "\" is not supported (c2p, p2c)");
    }
  }
  o.share_att_key = c.flag("share_att_key", o.share_att_key);
  for (std::string norm : c.texts("norm_rel_ebd", {"none"})) {
    std::transform(norm.begin(), norm.end(), norm.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (norm == "layer_norm") o.norm_rel_ebd_layer_norm = true;
  }
  o.conv_kernel_size = read_at_least(c, "conv_kernel_size", o.conv_kernel_size, 0);
  o.conv_groups = read_at_least(c, "conv_groups", o.conv_groups, 1);
  o.conv_act = read_activation(c, "conv_act", "tanh");

  require_heads_divide(o.hidden_size, o.num_attention_heads, "deberta-v2");
  int64_t head_size = c.integer("attention_head_size", o.hidden_size / o.num_attention_heads);
  if (head_size * o.num_attention_heads != o.hidden_size) {
    fail(FDL_ERR_UNSUPPORTED, "deberta-v2 config.json attention_head_size " + std::to_string(head_size) +
                                  " is not supported (only hidden_size / num_attention_heads)");
  }
  require(o.pad_token_id >= 0 && o.pad_token_id < o.vocab_size,
          "config.json pad_token_id must lie in [0, vocab_size), got " + std::to_string(o.pad_token_id));
  require(o.layer_norm_eps > 0, "config.json layer_norm_eps must be positive");
  require(o.position_buckets <= 0 || o.position_buckets >= 4,
          "deberta-v2 config.json position_buckets must be <= 0 (none) or >= 4, got " + std::to_string(o.position_buckets));
  require(o.conv_kernel_size == 0 || o.conv_kernel_size % 2 == 1,
          "deberta-v2 config.json conv_kernel_size must be odd (HF pads (k - 1) / 2 each side), got " +
              std::to_string(o.conv_kernel_size));
  require(o.hidden_size % o.conv_groups == 0, "deberta-v2 config.json conv_groups must divide hidden_size");
  return o;
}

int64_t deberta_position_reach(int64_t length, int64_t bucket_size, int64_t max_position) {
  if (length <= 1) return 0;
  // Bucketing is symmetric and non-decreasing in |i - j|: the farthest pair, (T - 1, 0), reaches furthest.
  return deberta_relative_positions(length, bucket_size, max_position, at::kCPU)[length - 1][0].item<int64_t>();
}

at::Tensor deberta_relative_positions(int64_t length, int64_t bucket_size, int64_t max_position, const at::Device& device) {
  at::Tensor ids = at::arange(length, at::TensorOptions().dtype(at::kLong).device(device));
  at::Tensor relative = ids.unsqueeze(1) - ids.unsqueeze(0);
  if (bucket_size <= 0 || max_position <= 0) return relative;
  // HF's make_log_bucket_position, in float32 as there.
  int64_t mid = bucket_size / 2;
  at::Tensor abs_pos = at::where((relative < mid) & (relative > -mid), at::full_like(relative, mid - 1), relative.abs());
  at::Tensor log_pos = at::ceil(at::log(abs_pos.to(at::kFloat) / static_cast<double>(mid)) /
                                bucket_log_denominator(bucket_size, max_position) * static_cast<double>(mid - 1)) +
                       static_cast<double>(mid);
  return at::where(abs_pos <= mid, relative.to(at::kFloat), log_pos * at::sign(relative).to(at::kFloat)).to(at::kLong);
}

DebertaV2EmbeddingsImpl::DebertaV2EmbeddingsImpl(const DebertaV2Options& o) {
  word_embeddings = register_module(
      "word_embeddings", nn::Embedding(nn::EmbeddingOptions(o.vocab_size, o.embedding_size).padding_idx(o.pad_token_id)));
  if (o.position_biased_input)
    position_embeddings = register_module("position_embeddings", nn::Embedding(o.max_position_embeddings, o.embedding_size));
  if (o.type_vocab_size > 0)
    token_type_embeddings = register_module("token_type_embeddings", nn::Embedding(o.type_vocab_size, o.embedding_size));
  if (o.embedding_size != o.hidden_size)
    embed_proj = register_module("embed_proj", nn::Linear(nn::LinearOptions(o.embedding_size, o.hidden_size).bias(false)));
  LayerNorm = register_module("LayerNorm", layer_norm(o));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor DebertaV2EmbeddingsImpl::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  at::Tensor x = word_embeddings(input_ids);
  if (position_embeddings) x = x + position_embeddings(at::arange(input_ids.size(1), input_ids.options()).unsqueeze(0));
  if (token_type_embeddings) x = x + token_type_embeddings(at::zeros_like(input_ids));
  if (embed_proj) x = embed_proj(x);
  x = LayerNorm(x);
  return dropout(x * attention_mask.unsqueeze(2).to(x.scalar_type()));
}

std::string DebertaV2EmbeddingsImpl::torchscript_forward() const {
  std::string code = "def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:\n"
                     "    x = self.word_embeddings.forward(input_ids)\n";
  if (position_embeddings) {
    code += "    positions = torch.arange(input_ids.size(1), dtype=input_ids.dtype, device=input_ids.device).unsqueeze(0)\n"
            "    x = x + self.position_embeddings.forward(positions)\n";
  }
  if (token_type_embeddings) code += "    x = x + self.token_type_embeddings.forward(torch.zeros_like(input_ids))\n";
  if (embed_proj) code += "    x = self.embed_proj.forward(x)\n";
  return code + "    x = self.LayerNorm.forward(x)\n    return x * attention_mask.unsqueeze(2).to(x.dtype)\n";
}

DisentangledSelfAttentionImpl::DisentangledSelfAttentionImpl(const DebertaV2Options& o)
    : options(o), scale_factor(1 + (o.c2p ? 1 : 0) + (o.p2c ? 1 : 0)) {
  query_proj = register_module("query_proj", nn::Linear(o.hidden_size, o.hidden_size));
  key_proj = register_module("key_proj", nn::Linear(o.hidden_size, o.hidden_size));
  value_proj = register_module("value_proj", nn::Linear(o.hidden_size, o.hidden_size));
  if (o.relative_attention && !o.share_att_key) {
    if (o.c2p) pos_key_proj = register_module("pos_key_proj", nn::Linear(o.hidden_size, o.hidden_size));
    if (o.p2c) pos_query_proj = register_module("pos_query_proj", nn::Linear(o.hidden_size, o.hidden_size));
  }
  dropout = register_module("dropout", nn::Dropout(o.attention_probs_dropout_prob));
  pos_dropout = register_module("pos_dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor DisentangledSelfAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& keep,
                                                  const at::Tensor& rel_embeddings) {
  int64_t heads = options.num_attention_heads, batch = hidden.size(0), length = hidden.size(1);
  at::Tensor q = split_heads(query_proj(hidden), heads), k = split_heads(key_proj(hidden), heads);
  // The scale divides the small factors (queries, position queries), not the [B, heads, T, T]
  // products, and the three score terms add in place: two fewer full-size passes each way.
  double scale = std::sqrt(static_cast<double>(q.size(-1) * scale_factor));
  at::Tensor scaled_q = q / scale;
  at::Tensor scores = at::matmul(scaled_q, k.transpose(-1, -2));  // [B, heads, T, T]
  if (options.relative_attention && (options.c2p || options.p2c)) {
    int64_t span = options.attention_span();
    // HF projects all 2 span relative embeddings and gathers from all of them; a length-T input
    // reaches only rows span - reach .. span + reach (reach: the largest bucketed |i - j|, plus one
    // for a log rounding off by one ulp on another device), so only those are projected and
    // multiplied: the same scores, with far fewer columns for short inputs.
    int64_t reach = std::min(span, deberta_position_reach(length, options.position_buckets,
                                                          options.max_relative_positions) + 1);
    int64_t first = std::max<int64_t>(0, span - reach), last = std::min(2 * span - 1, span + reach);
    at::Tensor rel = pos_dropout(rel_embeddings.narrow(0, first, last - first + 1));  // [rows, H]
    auto heads_of = [&](nn::Linear proj) {                                              // [heads, rows, d]
      return proj(rel).view({rel.size(0), heads, -1}).transpose(0, 1);
    };
    at::Tensor relative = deberta_relative_positions(length, options.position_buckets, options.max_relative_positions,
                                                     hidden.device());
    std::vector<int64_t> pairs = {batch, heads, length, length};
    if (options.c2p) {  // query content . key position: row relative(i, j) + span of the table, for q_i
      at::Tensor pos_key = heads_of(options.share_att_key ? key_proj : pos_key_proj);
      at::Tensor index = (at::clamp(relative + span, first, last) - first).expand(pairs);
      scores.add_(at::gather(at::matmul(scaled_q, pos_key.transpose(-1, -2)), -1, index));
    }
    if (options.p2c) {  // key content . query position, at -relative
      at::Tensor pos_query = heads_of(options.share_att_key ? query_proj : pos_query_proj) / scale;
      at::Tensor index = (at::clamp(-relative + span, first, last) - first).expand(pairs);
      scores.add_(at::gather(at::matmul(k, pos_query.transpose(-1, -2)), -1, index).transpose(-1, -2));
    }
  }
  // HF's XSoftmax: masked pairs excluded, and a padded query's row all zero.
  at::Tensor masked = keep.logical_not();
  // finfo(dtype).min as HF: float32's lowest overflows the bfloat16 scores of mixed precision.
  at::Tensor probs = at::softmax(scores.masked_fill_(masked, lowest_value_of(scores.scalar_type())), -1).masked_fill(masked, 0);
  return merge_heads(at::matmul(dropout(probs), split_heads(value_proj(hidden), heads)));
}

std::string DisentangledSelfAttentionImpl::torchscript_forward() const {
  int64_t heads = options.num_attention_heads, size = options.hidden_size, span = options.attention_span();
  std::string shape = "[batch, length, " + std::to_string(heads) + ", " + std::to_string(size / heads) + "]";
  std::string scale = torchscript_literal(std::sqrt(static_cast<double>(size / heads * scale_factor)));
  std::string code =
      "def forward(self, hidden: Tensor, keep: Tensor, rel_embeddings: Tensor) -> Tensor:\n"
      "    batch = hidden.size(0)\n"
      "    length = hidden.size(1)\n"
      "    q = self.query_proj.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
      "    k = self.key_proj.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
      "    v = self.value_proj.forward(hidden).view(" + shape + ").transpose(1, 2)\n"
      "    scores = torch.matmul(q, k.transpose(-1, -2)) / " + scale + "\n";
  if (options.relative_attention && (options.c2p || options.p2c)) {
    std::string two_span = std::to_string(2 * span), last = std::to_string(2 * span - 1), s = std::to_string(span);
    std::string rel_shape = "[" + two_span + ", " + std::to_string(heads) + ", -1]";
    code += "    rel = rel_embeddings.narrow(0, 0, " + two_span + ")\n"
            "    ids = torch.arange(length, device=hidden.device)\n"
            "    relative = ids.unsqueeze(1) - ids.unsqueeze(0)\n";
    if (options.position_buckets > 0) {
      std::string mid = std::to_string(options.position_buckets / 2);
      code += "    abs_pos = torch.where((relative < " + mid + ") & (relative > -" + mid + "), torch.full_like(relative, " +
              std::to_string(options.position_buckets / 2 - 1) + "), torch.abs(relative))\n"
              "    log_pos = torch.ceil(torch.log(abs_pos.float() / " + mid + ".0) / " +
              torchscript_literal(bucket_log_denominator(options.position_buckets, options.max_relative_positions)) + " * " +
              std::to_string(options.position_buckets / 2 - 1) + ".0) + " + mid + ".0\n"
              "    relative = torch.where(abs_pos <= " + mid + ", relative.float(), log_pos * torch.sign(relative).float()).long()\n";
    }
    if (options.c2p) {
      std::string proj = options.share_att_key ? "key_proj" : "pos_key_proj";
      code += "    pos_key = self." + proj + ".forward(rel).view(" + rel_shape + ").transpose(0, 1)\n"
              "    index = torch.clamp(relative + " + s + ", 0, " + last + ").expand([batch, " + std::to_string(heads) +
              ", length, length])\n"
              "    scores = scores + torch.gather(torch.matmul(q, pos_key.transpose(-1, -2)), -1, index) / " + scale + "\n";
    }
    if (options.p2c) {
      std::string proj = options.share_att_key ? "query_proj" : "pos_query_proj";
      code += "    pos_query = self." + proj + ".forward(rel).view(" + rel_shape + ").transpose(0, 1)\n"
              "    index = torch.clamp(-relative + " + s + ", 0, " + last + ").expand([batch, " + std::to_string(heads) +
              ", length, length])\n"
              "    scores = scores + torch.gather(torch.matmul(k, pos_query.transpose(-1, -2)), -1, index).transpose(-1, -2) / " +
              scale + "\n";
    }
  }
  return code +
         "    masked = torch.logical_not(keep)\n"
         "    probs = torch.softmax(scores.masked_fill(masked, " + lowest_float() + "), -1).masked_fill(masked, 0.0)\n"
         "    context = torch.matmul(probs, v)\n"
         "    return context.transpose(1, 2).contiguous().view([batch, length, " + std::to_string(size) + "])\n";
}

DebertaV2AttentionImpl::DebertaV2AttentionImpl(const DebertaV2Options& o) {
  self_attention = register_module("self", DisentangledSelfAttention(o));
  output = register_module("output", DenseResidualNorm(o.hidden_size, o.hidden_size, o.layer_norm_eps, o.hidden_dropout_prob));
}

at::Tensor DebertaV2AttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& keep, const at::Tensor& rel_embeddings) {
  return output(self_attention(hidden, keep, rel_embeddings), hidden);
}

std::string DebertaV2AttentionImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor, keep: Tensor, rel_embeddings: Tensor) -> Tensor:\n"
         "    return self.output.forward(getattr(self, \"self\").forward(hidden, keep, rel_embeddings), hidden)\n";
}

DebertaV2LayerImpl::DebertaV2LayerImpl(const DebertaV2Options& o) {
  attention = register_module("attention", DebertaV2Attention(o));
  intermediate = register_module("intermediate", DenseActivation(o.hidden_size, o.intermediate_size, o.hidden_act));
  output = register_module("output", DenseResidualNorm(o.intermediate_size, o.hidden_size, o.layer_norm_eps,
                                                       o.hidden_dropout_prob));
}

at::Tensor DebertaV2LayerImpl::forward(const at::Tensor& hidden, const at::Tensor& attention_mask,
                                       const at::Tensor& rel_embeddings) {
  at::Tensor m = attention_mask.unsqueeze(1).unsqueeze(2);      // [B, 1, 1, T]
  at::Tensor keep = (m * m.squeeze(-2).unsqueeze(-1)).ne(0);    // [B, 1, T, T]: HF's get_attention_mask
  at::Tensor attended = attention(hidden, keep, rel_embeddings);
  return output(intermediate(attended), attended);
}

std::string DebertaV2LayerImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor, attention_mask: Tensor, rel_embeddings: Tensor) -> Tensor:\n"
         "    m = attention_mask.unsqueeze(1).unsqueeze(2)\n"
         "    keep = (m * m.squeeze(-2).unsqueeze(-1)).ne(0)\n"
         "    attended = self.attention.forward(hidden, keep, rel_embeddings)\n"
         "    return self.output.forward(self.intermediate.forward(attended), attended)\n";
}

SequenceConv1dImpl::SequenceConv1dImpl(int64_t channels, int64_t kernel_size, int64_t g) : groups(g) {
  weight = register_parameter("weight", at::empty({channels, channels / groups, kernel_size}));
  bias = register_parameter("bias", at::empty({channels}));
  at::Generator generator = at::detail::createCPUGenerator(0);
  reset_like_torch(generator);
}

void SequenceConv1dImpl::reset_like_torch(at::Generator& generator) {
  double bound = 1.0 / std::sqrt(static_cast<double>(weight.size(1) * weight.size(2)));
  at::NoGradGuard no_grad;
  for (at::Tensor* t : {&weight, &bias})
    t->copy_(at::empty(t->sizes(), t->options().device(at::kCPU)).uniform_(-bound, bound, generator));
}

at::Tensor SequenceConv1dImpl::forward(const at::Tensor& x) {
  return at::conv1d(x, weight, bias, 1, (weight.size(2) - 1) / 2, 1, groups);
}

std::string SequenceConv1dImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n    return torch.conv1d(x, self.weight, self.bias, [1], [" +
         std::to_string((weight.size(2) - 1) / 2) + "], [1], " + std::to_string(groups) + ")\n";
}

DebertaV2ConvLayerImpl::DebertaV2ConvLayerImpl(const DebertaV2Options& o) : activation(o.conv_act) {
  conv = register_module("conv", SequenceConv1d(o.hidden_size, o.conv_kernel_size, o.conv_groups));
  LayerNorm = register_module("LayerNorm", layer_norm(o));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

at::Tensor DebertaV2ConvLayerImpl::forward(const at::Tensor& embedded, const at::Tensor& residual,
                                           const at::Tensor& attention_mask) {
  at::Tensor keep = attention_mask.unsqueeze(-1).to(residual.scalar_type());  // [B, T, 1]
  at::Tensor out = conv(embedded.permute({0, 2, 1})).permute({0, 2, 1}).masked_fill(keep.eq(0), 0.0);
  return LayerNorm(residual + activate(activation, dropout(out))) * keep;
}

std::string DebertaV2ConvLayerImpl::torchscript_forward() const {
  return "def forward(self, embedded: Tensor, residual: Tensor, attention_mask: Tensor) -> Tensor:\n"
         "    keep = attention_mask.unsqueeze(-1).to(residual.dtype)\n"
         "    out = self.conv.forward(embedded.permute(0, 2, 1)).permute(0, 2, 1).masked_fill(keep.eq(0), 0.0)\n"
         "    return self.LayerNorm.forward(residual + " + activation_script(activation, "out") + ") * keep\n";
}

DebertaV2EncoderImpl::DebertaV2EncoderImpl(const DebertaV2Options& o) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) layer->push_back(DebertaV2Layer(o));
  if (o.relative_attention) rel_embeddings = register_module("rel_embeddings", nn::Embedding(2 * o.attention_span(), o.hidden_size));
  if (o.norm_rel_ebd_layer_norm) LayerNorm = register_module("LayerNorm", layer_norm(o));
  if (o.conv_kernel_size > 0) conv = register_module("conv", DebertaV2ConvLayer(o));
}

at::Tensor DebertaV2EncoderImpl::relative_embeddings() {
  if (!rel_embeddings) return {};
  return LayerNorm ? LayerNorm(rel_embeddings->weight) : rel_embeddings->weight;
}

at::Tensor DebertaV2EncoderImpl::forward(const at::Tensor& embedded, const at::Tensor& attention_mask) {
  // One context for the checkpointed step: the relative embeddings (whose gradient reaches
  // rel_embeddings and LayerNorm) then the [B, T] mask, flattened.
  auto run = [](nn::Module& block, const at::Tensor& x, const at::Tensor& context) {
    int64_t mask_size = x.size(0) * x.size(1), rel_size = context.numel() - mask_size;
    at::Tensor mask = context.narrow(0, rel_size, mask_size).view({x.size(0), x.size(1)});
    at::Tensor rel = rel_size ? context.narrow(0, 0, rel_size).view({-1, x.size(2)}) : at::Tensor();
    return static_cast<DebertaV2LayerImpl&>(block).forward(x, mask, rel);
  };
  at::Tensor mask = attention_mask.to(embedded.scalar_type()), rel = relative_embeddings();
  at::Tensor context = rel.defined() ? at::cat({rel.to(mask.scalar_type()).flatten(), mask.flatten()}) : mask.flatten();
  at::Tensor hidden = embedded;
  for (size_t i = 0; i < layer->size(); ++i) {
    hidden = run_layer(*layer->ptr(i), run, hidden, context, gradient_checkpointing);
    if (i == 0 && conv) hidden = conv(embedded, hidden, mask);
  }
  return hidden;
}

std::string DebertaV2EncoderImpl::torchscript_forward() const {
  std::string code = "def forward(self, embedded: Tensor, attention_mask: Tensor) -> Tensor:\n"
                     "    mask = attention_mask.to(embedded.dtype)\n";
  if (!rel_embeddings) {
    code += "    rel = torch.zeros([0], dtype=embedded.dtype, device=embedded.device)\n";
  } else {
    code += LayerNorm ? "    rel = self.LayerNorm.forward(self.rel_embeddings.weight)\n" : "    rel = self.rel_embeddings.weight\n";
  }
  code += "    hidden = embedded\n";
  for (size_t i = 0; i < layer->size(); ++i) {
    code += "    hidden = " + script_item("self.layer", i) + ".forward(hidden, mask, rel)\n";
    if (i == 0 && conv) code += "    hidden = self.conv.forward(embedded, hidden, mask)\n";
  }
  return code + "    return hidden\n";
}

DebertaV2ModelImpl::DebertaV2ModelImpl(const DebertaV2Options& o) : options(o) {
  embeddings = register_module("embeddings", DebertaV2Embeddings(o));
  encoder = register_module("encoder", DebertaV2Encoder(o));
}

TextEncoderOutput DebertaV2ModelImpl::encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  return {encoder(embeddings(input_ids, attention_mask), attention_mask), at::Tensor()};
}

std::string DebertaV2ModelImpl::torchscript_forward() const {
  return "def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tuple[Tensor, Tensor]:\n"
         "    hidden = self.encoder.forward(self.embeddings.forward(input_ids, attention_mask), attention_mask)\n"
         "    return hidden, hidden.select(1, 0)\n";
}

void DebertaV2ModelImpl::reset_parameters_like_hf(uint64_t seed) {
  normal_init_like_hf(*this, options.initializer_range, seed);
  if (encoder->conv) {  // HF's _init_weights leaves Conv1d at PyTorch's default
    at::Generator generator = at::detail::createCPUGenerator(seed + 1);
    encoder->conv->conv->reset_like_torch(generator);
  }
}

std::shared_ptr<TextEncoderImpl> make_deberta_v2(const HfConfig& config) {
  return std::make_shared<DebertaV2ModelImpl>(DebertaV2Options::from_config(config));
}

}  // namespace fdl
