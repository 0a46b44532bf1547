// MaxViT-T, layer for layer as torchvision 0.14's maxvit.py: a two-conv stem, four blocks of
// MaxViT layers (MBConv, window attention, grid attention), then the classifier's pooling,
// LayerNorm, Linear and Tanh.
#include "nn/maxvit.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

// torchvision's MaxViT batch norm: eps 1e-3, momentum 0.99 (running statistics follow the last batch).
const BatchNormSpec kMaxVitNorm{1e-3, 0.99};

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, bool bias, int64_t groups = 1) {
  return nn::Conv2d(
      nn::Conv2dOptions(in, out, kernel).stride(stride).padding((kernel - 1) / 2).bias(bias).groups(groups));
}

// The spatial size after a 3x3/2 convolution with padding 1.
int64_t halved(int64_t size) { return (size - 1) / 2 + 1; }

using Named = std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>;

}  // namespace

MaxVitOptions MaxVitOptions::variant(const std::string& name) {
  if (name == "t") return {};
  fail(FDL_ERR_INVALID_ARGUMENT, "maxvit model_variant must be t; got '" + name + "'");
}

MBConvImpl::MBConvImpl(int64_t in, int64_t out, int64_t s, double p) : stride(s), stochastic_depth_prob(p) {
  if (s != 1 || in != out) {
    projection = conv(in, out, 1, 1, /*bias=*/true);
    register_module("proj", IndexedLayers(Named{{s == 2 ? "1" : "0", projection.ptr()}}));
  }
  int64_t mid = out * 4;
  pre_norm = batch_norm(in, kMaxVitNorm);
  conv_a = NestedSequential(conv(in, mid, 1, 1, false), batch_norm(mid, kMaxVitNorm));
  conv_b = NestedSequential(conv(mid, mid, 3, s, false, /*groups=*/mid), batch_norm(mid, kMaxVitNorm));
  squeeze_excitation = SqueezeExcitation(mid, out / 4, MobileActivation::SiLU, MobileActivation::Sigmoid);
  conv_c = conv(mid, out, 1, 1, true);
  register_module("layers", IndexedLayers(Named{{"pre_norm", pre_norm.ptr()},
                                                {"conv_a", conv_a.ptr()},
                                                {"conv_b", conv_b.ptr()},
                                                {"squeeze_excitation", squeeze_excitation.ptr()},
                                                {"conv_c", conv_c.ptr()}}));
}

at::Tensor MBConvImpl::forward(const at::Tensor& x) {
  at::Tensor shortcut = x;
  if (!projection.is_empty()) {
    shortcut = projection->forward(stride == 2 ? at::avg_pool2d(x, {3, 3}, {2, 2}, {1, 1}) : x);
  }
  at::Tensor y = at::gelu(conv_a->forward(pre_norm->forward(x)));  // [B, 4 out, H, W]
  y = at::gelu(conv_b->forward(y));                                // [B, 4 out, H/s, W/s]
  y = conv_c->forward(squeeze_excitation->forward(y));             // [B, out, H/s, W/s]
  return shortcut + stochastic_depth(y, stochastic_depth_prob, is_training());
}

std::string MBConvImpl::torchscript_forward() const {
  std::string shortcut = "x";
  if (!projection.is_empty()) {
    shortcut = stride == 2 ? "getattr(self.proj, \"1\").forward(torch.avg_pool2d(x, [3, 3], [2, 2], [1, 1]))"
                           : "getattr(self.proj, \"0\").forward(x)";
  }
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    y = torch.gelu(self.layers.conv_a.forward(self.layers.pre_norm.forward(x)))\n"
         "    y = torch.gelu(self.layers.conv_b.forward(y))\n"
         "    y = self.layers.conv_c.forward(self.layers.squeeze_excitation.forward(y))\n"
         "    return " + shortcut + " + y\n";
}

RelativePositionalAttentionImpl::RelativePositionalAttentionImpl(int64_t d, int64_t hd, int64_t window)
    : dim(d), heads(d / hd), head_dim(hd), length(window * window) {
  TORCH_CHECK(d % hd == 0, "MaxViT attention width ", d, " is not divisible by head_dim ", hd);
  to_qkv = register_module("to_qkv", nn::Linear(d, 3 * d));
  merge = register_module("merge", nn::Linear(d, d));
  relative_position_bias_table =
      register_parameter("relative_position_bias_table", at::zeros({(2 * window - 1) * (2 * window - 1), heads}));
  at::Tensor index = at::empty({length, length}, at::kLong);
  auto* out = index.data_ptr<int64_t>();
  for (int64_t i = 0; i < length; ++i) {
    for (int64_t j = 0; j < length; ++j) {
      out[i * length + j] = (i / window - j / window + window - 1) * (2 * window - 1) + (i % window - j % window + window - 1);
    }
  }
  relative_position_index = register_buffer("relative_position_index", index);
}

at::Tensor RelativePositionalAttentionImpl::forward(const at::Tensor& x) {
  const int64_t b = x.size(0), g = x.size(1), p = x.size(2);
  std::vector<at::Tensor> qkv = to_qkv->forward(x).chunk(3, -1);
  auto split = [&](const at::Tensor& t) { return t.reshape({b, g, p, heads, head_dim}).permute({0, 1, 3, 2, 4}); };
  at::Tensor q = split(qkv[0]), k = split(qkv[1]) * std::pow(static_cast<double>(dim), -0.5), v = split(qkv[2]);
  at::Tensor bias = relative_position_bias_table.index_select(0, relative_position_index.view(-1))
                        .view({length, length, heads}).permute({2, 0, 1}).unsqueeze(0);  // [1, heads, P, P]
  at::Tensor attn = at::softmax(q.matmul(k.transpose(-2, -1)) + bias, -1);             // [B, G, heads, P, P]
  return merge->forward(attn.matmul(v).permute({0, 1, 3, 2, 4}).reshape({b, g, p, dim}));
}

std::string RelativePositionalAttentionImpl::torchscript_forward() const {
  const std::string h = std::to_string(heads), hd = std::to_string(head_dim), l = std::to_string(length);
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    b = x.size(0)\n"
         "    g = x.size(1)\n"
         "    p = x.size(2)\n"
         "    qkv = torch.chunk(self.to_qkv.forward(x), 3, -1)\n"
         "    q = qkv[0].reshape([b, g, p, " + h + ", " + hd + "]).permute([0, 1, 3, 2, 4])\n"
         "    k = qkv[1].reshape([b, g, p, " + h + ", " + hd + "]).permute([0, 1, 3, 2, 4]) * " +
         torchscript_literal(std::pow(static_cast<double>(dim), -0.5)) + "\n"
         "    v = qkv[2].reshape([b, g, p, " + h + ", " + hd + "]).permute([0, 1, 3, 2, 4])\n"
         "    bias = torch.index_select(self.relative_position_bias_table, 0, self.relative_position_index.view(-1))"
         ".view([" + l + ", " + l + ", " + h + "]).permute([2, 0, 1]).unsqueeze(0)\n"
         "    attn = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) + bias, -1)\n"
         "    return self.merge.forward(torch.matmul(attn, v).permute([0, 1, 3, 2, 4]).reshape([b, g, p, " +
         std::to_string(dim) + "]))\n";
}

PartitionAttentionImpl::PartitionAttentionImpl(int64_t dim, int64_t head_dim, int64_t partition_size, bool g,
                                               int64_t size, double sd)
    : p(g ? size / partition_size : partition_size), grid_size(size), grid(g), stochastic_depth_prob(sd) {
  TORCH_CHECK(size % partition_size == 0, "MaxViT grid ", size, " is not divisible by partition_size ",
              partition_size, "; the images must be ", 32 * partition_size, "x", 32 * partition_size);
  attn_norm = nn::LayerNorm(nn::LayerNormOptions({dim}));
  attention = RelativePositionalAttention(dim, head_dim, partition_size);
  register_module("attn_layer", IndexedLayers(Named{{"0", attn_norm.ptr()}, {"1", attention.ptr()}}));
  mlp_norm = nn::LayerNorm(nn::LayerNormOptions({dim}));
  mlp_expand = nn::Linear(dim, 4 * dim);
  mlp_project = nn::Linear(4 * dim, dim);
  register_module("mlp_layer",
                  IndexedLayers(Named{{"0", mlp_norm.ptr()}, {"1", mlp_expand.ptr()}, {"3", mlp_project.ptr()}}));
}

at::Tensor PartitionAttentionImpl::forward(const at::Tensor& input) {
  const int64_t b = input.size(0), c = input.size(1), n = grid_size / p;
  // [B, C, S, S] -> [B, n*n, p*p, C]: windows of p x p neighbours; grid mode swaps the two middle
  // axes so each group holds positions n apart.
  at::Tensor x = input.reshape({b, c, n, p, n, p}).permute({0, 2, 4, 3, 5, 1}).reshape({b, n * n, p * p, c});
  if (grid) x = x.transpose(-2, -3);
  x = x + stochastic_depth(attention->forward(attn_norm->forward(x)), stochastic_depth_prob, is_training());
  x = x + stochastic_depth(mlp_project->forward(at::gelu(mlp_expand->forward(mlp_norm->forward(x)))),
                           stochastic_depth_prob, is_training());
  if (grid) x = x.transpose(-2, -3);
  return x.reshape({b, n, n, p, p, c}).permute({0, 5, 1, 3, 2, 4}).reshape({b, c, n * p, n * p});
}

std::string PartitionAttentionImpl::torchscript_forward() const {
  const std::string n = std::to_string(grid_size / p), ps = std::to_string(p);
  std::string swap = grid ? "    x = x.transpose(-2, -3)\n" : "";
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    b = x.size(0)\n"
         "    c = x.size(1)\n"
         "    x = x.reshape([b, c, " + n + ", " + ps + ", " + n + ", " + ps + "]).permute([0, 2, 4, 3, 5, 1])"
         ".reshape([b, " + n + " * " + n + ", " + ps + " * " + ps + ", c])\n" + swap +
         "    x = x + getattr(self.attn_layer, \"1\").forward(getattr(self.attn_layer, \"0\").forward(x))\n"
         "    y = torch.gelu(getattr(self.mlp_layer, \"1\").forward(getattr(self.mlp_layer, \"0\").forward(x)))\n"
         "    x = x + getattr(self.mlp_layer, \"3\").forward(y)\n" + swap +
         "    return x.reshape([b, " + n + ", " + n + ", " + ps + ", " + ps + ", c]).permute([0, 5, 1, 3, 2, 4])"
         ".reshape([b, c, " + n + " * " + ps + ", " + n + " * " + ps + "])\n";
}

LayersImpl::LayersImpl(NestedSequential l) : layers(register_module("layers", std::move(l))) {}

std::string LayersImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n    return self.layers.forward(x)\n";
}

MaxVitImpl::MaxVitImpl(const MaxVitOptions& o) : options(o) {
  TORCH_CHECK(o.block_channels.size() == o.block_layers.size(), "MaxViT needs a layer count for each block");
  stem_conv = NestedSequential(conv(3, o.stem_channels, 3, 2, false), batch_norm(o.stem_channels, kMaxVitNorm));
  stem_proj = NestedSequential(conv(o.stem_channels, o.stem_channels, 3, 1, true));
  register_module("stem", IndexedLayers(Named{{"0", stem_conv.ptr()}, {"1", stem_proj.ptr()}}));
  int64_t total_layers = 0, layer_id = 0, size = halved(o.input_size), in = o.stem_channels;
  for (int64_t n : o.block_layers) total_layers += n;
  blocks = NestedSequential();
  for (size_t b = 0; b < o.block_channels.size(); ++b) {
    size = halved(size);
    int64_t out = o.block_channels[b];
    NestedSequential layers;
    for (int64_t l = 0; l < o.block_layers[b]; ++l, ++layer_id) {
      double p = o.stochastic_depth_prob * static_cast<double>(layer_id) / static_cast<double>(total_layers - 1);
      NestedSequential parts;
      parts->push_back("MBconv", MBConv(l == 0 ? in : out, out, l == 0 ? 2 : 1, p));
      parts->push_back("window_attention", PartitionAttention(out, o.head_dim, o.partition_size, false, size, p));
      parts->push_back("grid_attention", PartitionAttention(out, o.head_dim, o.partition_size, true, size, p));
      layers->push_back(Layers(parts));
    }
    blocks->push_back(Layers(layers));
    in = out;
  }
  register_module("blocks", blocks);
  head_norm = nn::LayerNorm(nn::LayerNormOptions({feature_size()}));
  head_linear = nn::Linear(feature_size(), feature_size());
  register_module("classifier", IndexedLayers(Named{{"2", head_norm.ptr()}, {"3", head_linear.ptr()}}));
}

at::Tensor MaxVitImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "maxvit", options.input_size);
  require(images.size(2) == options.input_size && images.size(3) == options.input_size,
          "maxvit takes " + std::to_string(options.input_size) + "x" + std::to_string(options.input_size) +
              " images (its partitions are laid out for them), got " + std::to_string(images.size(2)) + "x" +
              std::to_string(images.size(3)));
  at::Tensor x = stem_proj->forward(at::gelu(stem_conv->forward(images)));  // [B, 64, 112, 112]
  x = blocks->forward(x);                                   // [B, 512, 7, 7]
  x = at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);        // [B, 512]
  return at::tanh(head_linear->forward(head_norm->forward(x)));
}

std::string MaxVitImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = getattr(self.stem, \"1\").forward(torch.gelu(getattr(self.stem, \"0\").forward(x)))\n"
         "    x = torch.adaptive_avg_pool2d(self.blocks.forward(x), [1, 1]).flatten(1)\n"
         "    return torch.tanh(getattr(self.classifier, \"3\").forward(getattr(self.classifier, \"2\").forward(x)))\n";
}

void MaxVitImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* c = module->as<nn::Conv2d>()) {
      normal_from(c->weight, 0.0, 0.02, generator);
      if (c->bias.defined()) c->bias.zero_();
    } else if (auto* l = module->as<nn::Linear>()) {
      normal_from(l->weight, 0.0, 0.02, generator);
      if (l->bias.defined()) l->bias.zero_();
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
      bn->running_mean.zero_();
      bn->running_var.fill_(1.0);
      bn->num_batches_tracked.zero_();
    } else if (auto* norm = module->as<nn::LayerNorm>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    } else if (auto* attention = module->as<RelativePositionalAttentionImpl>()) {
      trunc_normal_from(attention->relative_position_bias_table, 0.02, generator);
    }
  }
}

std::shared_ptr<ImageEncoderImpl> make_maxvit(const std::string& variant) {
  return std::make_shared<MaxVitImpl>(MaxVitOptions::variant(variant));
}

}  // namespace fdl
