// Swin v1, layer for layer as torchvision 0.14's swin_transformer.py (its shifted_window_attention
// function in particular); the whole network runs channels-last ([B, H, W, C]) as torchvision's does.
#include "nn/swin_transformer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

nn::LayerNorm layer_norm(int64_t dim) { return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-5)); }

// Which region of the rolled map each position came from, along one side of padded length n: the
// last window and the last `shift` positions are the wrapped-around ones. One region when unshifted.
at::Tensor regions(int64_t n, int64_t window, int64_t shift, const at::TensorOptions& options) {
  if (shift == 0) return at::zeros({n}, options.dtype(at::kLong));
  at::Tensor i = at::arange(n, options.dtype(at::kLong));
  return i.ge(n - window).to(at::kLong) + i.ge(n - shift).to(at::kLong);
}

}  // namespace

SwinOptions SwinOptions::variant(const std::string& name) {
  // torchvision's swin_<name>: embedding width, blocks and heads per stage, stochastic depth.
  if (name == "t") return {96, {2, 2, 6, 2}, {3, 6, 12, 24}, 0.2};
  if (name == "s") return {96, {2, 2, 18, 2}, {3, 6, 12, 24}, 0.3};
  if (name == "b") return {128, {2, 2, 18, 2}, {4, 8, 16, 32}, 0.5};
  fail(FDL_ERR_INVALID_ARGUMENT, "swin_transformer model_variant must be one of t, s, b; got '" + name + "'");
}

SwinPatchEmbedImpl::SwinPatchEmbedImpl(int64_t patch_size, int64_t dim) {
  conv = register_module("0", nn::Conv2d(nn::Conv2dOptions(3, dim, patch_size).stride(patch_size)));
  norm = register_module("2", layer_norm(dim));
}

at::Tensor SwinPatchEmbedImpl::forward(const at::Tensor& images) {
  return norm->forward(conv->forward(images).permute({0, 2, 3, 1}));
}

std::string SwinPatchEmbedImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    return getattr(self, \"2\").forward(getattr(self, \"0\").forward(x).permute([0, 2, 3, 1]))\n";
}

PatchMergingImpl::PatchMergingImpl(int64_t dim) {
  reduction = register_module("reduction", nn::Linear(nn::LinearOptions(4 * dim, 2 * dim).bias(false)));
  norm = register_module("norm", layer_norm(4 * dim));
}

at::Tensor PatchMergingImpl::forward(const at::Tensor& input) {
  at::Tensor x = at::constant_pad_nd(input, {0, 0, 0, input.size(2) % 2, 0, input.size(1) % 2});
  auto take = [&](int64_t h, int64_t w) { return x.slice(1, h, c10::nullopt, 2).slice(2, w, c10::nullopt, 2); };
  x = at::cat({take(0, 0), take(1, 0), take(0, 1), take(1, 1)}, -1);  // [B, H/2, W/2, 4C]
  return reduction->forward(norm->forward(x));                      // [B, H/2, W/2, 2C]
}

std::string PatchMergingImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = torch.constant_pad_nd(x, [0, 0, 0, x.size(2) % 2, 0, x.size(1) % 2], 0.0)\n"
         "    x = torch.cat([x[:, 0::2, 0::2, :], x[:, 1::2, 0::2, :], x[:, 0::2, 1::2, :], x[:, 1::2, 1::2, :]], -1)\n"
         "    return self.reduction.forward(self.norm.forward(x))\n";
}

ShiftedWindowAttentionImpl::ShiftedWindowAttentionImpl(int64_t d, int64_t ws, int64_t s, int64_t h, double ad, double p)
    : dim(d), window_size(ws), shift(s), num_heads(h), attention_dropout(ad), dropout(p) {
  qkv = register_module("qkv", nn::Linear(d, 3 * d));
  proj = register_module("proj", nn::Linear(d, d));
  relative_position_bias_table =
      register_parameter("relative_position_bias_table", at::zeros({(2 * ws - 1) * (2 * ws - 1), h}));
  // For positions i, j of a window: (dh + ws - 1) * (2 ws - 1) + (dw + ws - 1), d = coords(i) - coords(j).
  int64_t n = ws * ws;
  at::Tensor index = at::empty({n * n}, at::kLong);
  auto* out = index.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      out[i * n + j] = (i / ws - j / ws + ws - 1) * (2 * ws - 1) + (i % ws - j % ws + ws - 1);
    }
  }
  relative_position_index = register_buffer("relative_position_index", index);
}

at::Tensor ShiftedWindowAttentionImpl::forward(const at::Tensor& input) {
  const int64_t batch = input.size(0), height = input.size(1), width = input.size(2), ws = window_size;
  const int64_t n = ws * ws, head_dim = dim / num_heads;
  at::Tensor x = at::constant_pad_nd(input, {0, 0, 0, (ws - width % ws) % ws, 0, (ws - height % ws) % ws});
  const int64_t padded_h = x.size(1), padded_w = x.size(2);
  const int64_t shift_h = ws >= padded_h ? 0 : shift, shift_w = ws >= padded_w ? 0 : shift;
  const bool shifted = shift_h + shift_w > 0;
  if (shifted) x = at::roll(x, {-shift_h, -shift_w}, {1, 2});
  const int64_t rows = padded_h / ws, cols = padded_w / ws, windows = rows * cols;
  // [B, H, W, C] -> [B * windows, ws^2, C]
  x = x.view({batch, rows, ws, cols, ws, dim}).permute({0, 1, 3, 2, 4, 5}).reshape({batch * windows, n, dim});
  at::Tensor qkv_heads = qkv->forward(x).reshape({x.size(0), n, 3, num_heads, head_dim}).permute({2, 0, 3, 1, 4});
  at::Tensor q = qkv_heads[0] * std::pow(static_cast<double>(head_dim), -0.5);
  at::Tensor bias = relative_position_bias_table.index_select(0, relative_position_index)
                        .view({n, n, num_heads}).permute({2, 0, 1}).unsqueeze(0);  // [1, heads, n, n]
  at::Tensor attn = q.matmul(qkv_heads[1].transpose(-2, -1)) + bias;              // [B * windows, heads, n, n]
  if (shifted) {
    at::Tensor region = regions(padded_h, ws, shift_h, x.options()).unsqueeze(1) * 3 +
                        regions(padded_w, ws, shift_w, x.options()).unsqueeze(0);  // [H, W]
    region = region.view({rows, ws, cols, ws}).permute({0, 2, 1, 3}).reshape({windows, n});
    at::Tensor mask = region.unsqueeze(1).ne(region.unsqueeze(2)).to(attn.scalar_type()) * -100.0;  // [windows, n, n]
    attn = (attn.view({batch, windows, num_heads, n, n}) + mask.unsqueeze(1).unsqueeze(0)).view({-1, num_heads, n, n});
  }
  attn = at::dropout(at::softmax(attn, -1), attention_dropout, is_training());
  x = attn.matmul(qkv_heads[2]).transpose(1, 2).reshape({batch * windows, n, dim});
  x = at::dropout(proj->forward(x), dropout, is_training());
  x = x.view({batch, rows, cols, ws, ws, dim}).permute({0, 1, 3, 2, 4, 5}).reshape({batch, padded_h, padded_w, dim});
  if (shifted) x = at::roll(x, {shift_h, shift_w}, {1, 2});
  return x.slice(1, 0, height).slice(2, 0, width).contiguous();
}

std::string ShiftedWindowAttentionImpl::torchscript_forward() const {
  const std::string ws = std::to_string(window_size), heads = std::to_string(num_heads), c = std::to_string(dim);
  const std::string n = std::to_string(window_size * window_size), s = std::to_string(shift);
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    batch = x.size(0)\n"
         "    height = x.size(1)\n"
         "    width = x.size(2)\n"
         "    x = torch.constant_pad_nd(x, [0, 0, 0, (" + ws + " - width % " + ws + ") % " + ws + ", 0, (" + ws +
         " - height % " + ws + ") % " + ws + "], 0.0)\n"
         "    padded_h = x.size(1)\n"
         "    padded_w = x.size(2)\n"
         "    shift_h = 0 if " + ws + " >= padded_h else " + s + "\n"
         "    shift_w = 0 if " + ws + " >= padded_w else " + s + "\n"
         "    if shift_h + shift_w > 0:\n"
         "        x = torch.roll(x, [-shift_h, -shift_w], [1, 2])\n"
         "    rows = padded_h // " + ws + "\n"
         "    cols = padded_w // " + ws + "\n"
         "    x = x.view([batch, rows, " + ws + ", cols, " + ws + ", " + c + "]).permute([0, 1, 3, 2, 4, 5])"
         ".reshape([batch * rows * cols, " + n + ", " + c + "])\n"
         "    qkv = self.qkv.forward(x).reshape([x.size(0), " + n + ", 3, " + heads + ", " +
         std::to_string(dim / num_heads) + "]).permute([2, 0, 3, 1, 4])\n"
         "    q = qkv[0] * " + torchscript_literal(std::pow(static_cast<double>(dim / num_heads), -0.5)) + "\n"
         "    bias = torch.index_select(self.relative_position_bias_table, 0, self.relative_position_index)"
         ".view([" + n + ", " + n + ", " + heads + "]).permute([2, 0, 1]).unsqueeze(0)\n"
         "    attn = torch.matmul(q, qkv[1].transpose(-2, -1)) + bias\n"
         "    if shift_h + shift_w > 0:\n"
         "        i = torch.arange(padded_h, device=x.device)\n"
         "        region_h = torch.zeros_like(i)\n"
         "        if shift_h > 0:\n"
         "            region_h = torch.ge(i, padded_h - " + ws + ").long() + torch.ge(i, padded_h - shift_h).long()\n"
         "        j = torch.arange(padded_w, device=x.device)\n"
         "        region_w = torch.zeros_like(j)\n"
         "        if shift_w > 0:\n"
         "            region_w = torch.ge(j, padded_w - " + ws + ").long() + torch.ge(j, padded_w - shift_w).long()\n"
         "        region = (region_h.unsqueeze(1) * 3 + region_w.unsqueeze(0)).view([rows, " + ws + ", cols, " + ws +
         "]).permute([0, 2, 1, 3]).reshape([rows * cols, " + n + "])\n"
         "        mask = torch.ne(region.unsqueeze(1), region.unsqueeze(2)).to(attn.dtype) * -100.0\n"
         "        attn = (attn.view([batch, rows * cols, " + heads + ", " + n + ", " + n +
         "]) + mask.unsqueeze(1).unsqueeze(0)).view([-1, " + heads + ", " + n + ", " + n + "])\n"
         "    attn = torch.softmax(attn, -1)\n"
         "    x = torch.matmul(attn, qkv[2]).transpose(1, 2).reshape([batch * rows * cols, " + n + ", " + c + "])\n"
         "    x = self.proj.forward(x)\n"
         "    x = x.view([batch, rows, cols, " + ws + ", " + ws + ", " + c + "]).permute([0, 1, 3, 2, 4, 5])"
         ".reshape([batch, padded_h, padded_w, " + c + "])\n"
         "    if shift_h + shift_w > 0:\n"
         "        x = torch.roll(x, [shift_h, shift_w], [1, 2])\n"
         "    return x[:, :height, :width, :].contiguous()\n";
}

SwinBlockImpl::SwinBlockImpl(const SwinOptions& o, int64_t dim, int64_t heads, int64_t shift, double p)
    : stochastic_depth_prob(p) {
  norm1 = register_module("norm1", layer_norm(dim));
  attn = register_module("attn", ShiftedWindowAttention(dim, o.window_size, shift, heads, o.attention_dropout, o.dropout));
  norm2 = register_module("norm2", layer_norm(dim));
  mlp = register_module("mlp", TransformerMlp(dim, 4 * dim, o.dropout));
}

at::Tensor SwinBlockImpl::forward(const at::Tensor& input) {
  at::Tensor x = input + stochastic_depth(attn->forward(norm1->forward(input)), stochastic_depth_prob, is_training());
  return x + stochastic_depth(mlp->forward(norm2->forward(x)), stochastic_depth_prob, is_training());
}

std::string SwinBlockImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = x + self.attn.forward(self.norm1.forward(x))\n"
         "    return x + self.mlp.forward(self.norm2.forward(x))\n";
}

SwinTransformerImpl::SwinTransformerImpl(const SwinOptions& o) : options(o) {
  TORCH_CHECK(o.depths.size() == o.num_heads.size(), "Swin needs heads for each of its ", o.depths.size(), " stages");
  features = nn::Sequential();
  features->push_back(SwinPatchEmbed(o.patch_size, o.embed_dim));
  int64_t total_blocks = 0, block_id = 0;
  for (int64_t d : o.depths) total_blocks += d;
  for (size_t stage = 0; stage < o.depths.size(); ++stage) {
    int64_t dim = o.embed_dim << stage;
    NestedSequential blocks;
    for (int64_t b = 0; b < o.depths[stage]; ++b, ++block_id) {
      double p = o.stochastic_depth_prob * static_cast<double>(block_id) / (total_blocks - 1.0);
      blocks->push_back(SwinBlock(o, dim, o.num_heads[stage], b % 2 == 0 ? 0 : o.window_size / 2, p));
    }
    features->push_back(blocks);
    if (stage + 1 < o.depths.size()) features->push_back(PatchMerging(dim));
  }
  register_module("features", features);
  norm = register_module("norm", layer_norm(feature_size()));
}

at::Tensor SwinTransformerImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "swin_transformer", options.patch_size);
  at::Tensor x = norm->forward(features->forward(images));  // [B, H/32, W/32, F]
  return x.mean({1, 2});                                     // [B, F]
}

std::string SwinTransformerImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    return self.norm.forward(self.features.forward(x)).mean([1, 2])\n";
}

void SwinTransformerImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<nn::Linear>()) {
      trunc_normal_from(linear->weight, 0.02, generator);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* attention = module->as<ShiftedWindowAttentionImpl>()) {
      trunc_normal_from(attention->relative_position_bias_table, 0.02, generator);
    } else if (auto* conv = module->as<nn::Conv2d>()) {
      // nn.Conv2d's own reset_parameters: kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(fan_in)), bias alike.
      double bound = 1.0 / std::sqrt(static_cast<double>(conv->weight.numel() / conv->weight.size(0)));
      uniform_from(conv->weight, bound, generator);
      uniform_from(conv->bias, bound, generator);
    } else if (auto* layer_norm = module->as<nn::LayerNorm>()) {
      layer_norm->weight.fill_(1.0);
      layer_norm->bias.zero_();
    }
  }
}

std::shared_ptr<ImageEncoderImpl> make_swin_transformer(const std::string& variant) {
  return std::make_shared<SwinTransformerImpl>(SwinOptions::variant(variant));
}

}  // namespace fdl
