// The ViT, layer for layer as torchvision 0.14's vision_transformer.py: patchify convolution,
// class token, learned position embedding, pre-norm encoder blocks, final LayerNorm; the features
// are the class token's.
#include "nn/vit.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

ViTOptions ViTOptions::variant(const std::string& name) {
  // torchvision's vit_<name>: patch, layers, heads, width, MLP width; Ludwig's image size.
  if (name == "b_16") return {16, 12, 12, 768, 3072, 224};
  if (name == "b_32") return {32, 12, 12, 768, 3072, 224};
  if (name == "l_16") return {16, 24, 16, 1024, 4096, 224};
  if (name == "l_32") return {32, 24, 16, 1024, 4096, 224};
  if (name == "h_14") return {14, 32, 16, 1280, 5120, 518};
  fail(FDL_ERR_INVALID_ARGUMENT, "vit model_variant must be one of b_16, b_32, l_16, l_32, h_14; got '" + name + "'");
}

MultiheadSelfAttentionImpl::MultiheadSelfAttentionImpl(int64_t d, int64_t h, double p)
    : dim(d), num_heads(h), dropout(p) {
  TORCH_CHECK(d % h == 0, "attention width ", d, " is not divisible by its ", h, " heads");
  in_proj_weight = register_parameter("in_proj_weight", at::empty({3 * d, d}));
  in_proj_bias = register_parameter("in_proj_bias", at::zeros({3 * d}));
  out_proj = register_module("out_proj", nn::Linear(d, d));
}

at::Tensor MultiheadSelfAttentionImpl::forward(const at::Tensor& x) {
  int64_t batch = x.size(0), length = x.size(1);
  // [B, T, 3D] -> 3 x [B, heads, T, head_dim]
  at::Tensor qkv = at::linear(x, in_proj_weight, in_proj_bias).view({batch, length, 3, num_heads, dim / num_heads});
  qkv = qkv.permute({2, 0, 3, 1, 4});
  // softmax(q k^T / sqrt(head_dim)) v, fused where LibTorch has a kernel for it.
  at::Tensor context = at::scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], {}, is_training() ? dropout : 0.0);
  return out_proj->forward(context.transpose(1, 2).reshape({batch, length, dim}));
}

std::string MultiheadSelfAttentionImpl::torchscript_forward() const {
  std::string shape = "[batch, length, 3, " + std::to_string(num_heads) + ", " + std::to_string(dim / num_heads) + "]";
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    batch = x.size(0)\n"
         "    length = x.size(1)\n"
         "    qkv = torch.linear(x, self.in_proj_weight, self.in_proj_bias).view(" + shape + ").permute([2, 0, 3, 1, 4])\n"
         "    context = torch.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])\n"
         "    return self.out_proj.forward(context.transpose(1, 2).reshape([batch, length, " + std::to_string(dim) + "]))\n";
}

ViTEncoderBlockImpl::ViTEncoderBlockImpl(const ViTOptions& o) : dropout(o.dropout) {
  ln_1 = register_module("ln_1", nn::LayerNorm(nn::LayerNormOptions({o.hidden_dim}).eps(1e-6)));
  self_attention = register_module("self_attention",
                                   MultiheadSelfAttention(o.hidden_dim, o.num_heads, o.attention_dropout));
  ln_2 = register_module("ln_2", nn::LayerNorm(nn::LayerNormOptions({o.hidden_dim}).eps(1e-6)));
  mlp = register_module("mlp", TransformerMlp(o.hidden_dim, o.mlp_dim, o.dropout));
}

at::Tensor ViTEncoderBlockImpl::forward(const at::Tensor& input) {
  at::Tensor x = at::dropout(self_attention->forward(ln_1->forward(input)), dropout, is_training()) + input;
  return x + mlp->forward(ln_2->forward(x));
}

std::string ViTEncoderBlockImpl::torchscript_forward() const {
  return "def forward(self, x0: Tensor) -> Tensor:\n"
         "    x = self.self_attention.forward(self.ln_1.forward(x0)) + x0\n"
         "    return x + self.mlp.forward(self.ln_2.forward(x))\n";
}

ViTEncoderImpl::ViTEncoderImpl(const ViTOptions& o, int64_t sequence_length) : dropout(o.dropout) {
  pos_embedding = register_parameter("pos_embedding", at::empty({1, sequence_length, o.hidden_dim}).normal_(0.0, 0.02));
  layers = nn::Sequential();
  for (int64_t i = 0; i < o.num_layers; ++i) layers->push_back("encoder_layer_" + std::to_string(i), ViTEncoderBlock(o));
  register_module("layers", layers);
  ln = register_module("ln", nn::LayerNorm(nn::LayerNormOptions({o.hidden_dim}).eps(1e-6)));
}

at::Tensor ViTEncoderImpl::forward(const at::Tensor& x) {
  return ln->forward(layers->forward(at::dropout(x + pos_embedding, dropout, is_training())));
}

std::string ViTEncoderImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    return self.ln.forward(self.layers.forward(x + self.pos_embedding))\n";
}

VisionTransformerImpl::VisionTransformerImpl(const ViTOptions& o) : options(o) {
  TORCH_CHECK(o.image_size % o.patch_size == 0, "ViT image_size ", o.image_size, " is not a multiple of patch_size ",
              o.patch_size);
  conv_proj = register_module("conv_proj",
                              nn::Conv2d(nn::Conv2dOptions(3, o.hidden_dim, o.patch_size).stride(o.patch_size)));
  class_token = register_parameter("class_token", at::zeros({1, 1, o.hidden_dim}));
  int64_t patches = (o.image_size / o.patch_size) * (o.image_size / o.patch_size);
  encoder = register_module("encoder", ViTEncoder(o, patches + 1));
}

at::Tensor VisionTransformerImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "vit", options.image_size);
  require(images.size(2) == options.image_size && images.size(3) == options.image_size,
          "vit takes " + std::to_string(options.image_size) + "x" + std::to_string(options.image_size) +
              " images (its position embedding's size), got " + std::to_string(images.size(2)) + "x" +
              std::to_string(images.size(3)));
  int64_t batch = images.size(0);
  at::Tensor x = conv_proj->forward(images).flatten(2).transpose(1, 2);      // [B, patches, D]
  x = at::cat({class_token.expand({batch, -1, -1}), x}, 1);                  // [B, 1 + patches, D]
  return encoder->forward(x).select(1, 0);                                   // [B, D]
}

std::string VisionTransformerImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = self.conv_proj.forward(x).flatten(2).transpose(1, 2)\n"
         "    x = torch.cat([self.class_token.expand([x.size(0), -1, -1]), x], 1)\n"
         "    return self.encoder.forward(x).select(1, 0)\n";
}

void VisionTransformerImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  const at::Tensor& w = conv_proj->weight;
  trunc_normal_from(w, std::sqrt(1.0 / static_cast<double>(w.numel() / w.size(0))), generator);
  conv_proj->bias.zero_();
  class_token.zero_();
  normal_from(encoder->pos_embedding, 0.0, 0.02, generator);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* attention = module->as<MultiheadSelfAttentionImpl>()) {
      xavier_uniform_from(attention->in_proj_weight, generator);
      attention->in_proj_bias.zero_();
      // out_proj keeps nn.Linear's default (kaiming_uniform_(a=sqrt(5)): U(+-1/sqrt(in))), bias 0.
      double bound = 1.0 / std::sqrt(static_cast<double>(attention->dim));
      uniform_from(attention->out_proj->weight, bound, generator);
      attention->out_proj->bias.zero_();
    } else if (auto* mlp = module->as<TransformerMlpImpl>()) {
      for (auto* linear : {mlp->fc1.get(), mlp->fc2.get()}) {
        xavier_uniform_from(linear->weight, generator);
        normal_from(linear->bias, 0.0, 1e-6, generator);
      }
    } else if (auto* norm = module->as<nn::LayerNorm>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

std::shared_ptr<ImageEncoderImpl> make_vit(const std::string& variant) {
  return std::make_shared<VisionTransformerImpl>(ViTOptions::variant(variant));
}

}  // namespace fdl
