// ConvNeXt, layer for layer as torchvision 0.14's convnext.py: a 4x4/4 patchify stem with
// LayerNorm2d, four stages of CNBlocks with LayerNorm2d + 2x2/2 conv downsampling between them,
// global average pooling and the classifier's LayerNorm2d.
#include "nn/convnext.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

ConvNeXtOptions ConvNeXtOptions::variant(const std::string& name) {
  // torchvision's convnext_<name>: block settings and default stochastic depth.
  if (name == "tiny") return {{{96, 192, 3}, {192, 384, 3}, {384, 768, 9}, {768, 0, 3}}, 0.1};
  if (name == "small") return {{{96, 192, 3}, {192, 384, 3}, {384, 768, 27}, {768, 0, 3}}, 0.4};
  if (name == "base") return {{{128, 256, 3}, {256, 512, 3}, {512, 1024, 27}, {1024, 0, 3}}, 0.5};
  if (name == "large") return {{{192, 384, 3}, {384, 768, 3}, {768, 1536, 27}, {1536, 0, 3}}, 0.5};
  fail(FDL_ERR_INVALID_ARGUMENT, "convnext model_variant must be one of tiny, small, base, large; got '" + name + "'");
}

CNBlockImpl::CNBlockImpl(int64_t dim, double p) : stochastic_depth_prob(p) {
  depthwise = nn::Conv2d(nn::Conv2dOptions(dim, dim, 7).padding(3).groups(dim));
  norm = nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6));
  expand = nn::Linear(dim, 4 * dim);
  project = nn::Linear(4 * dim, dim);
  register_module("block", IndexedLayers(std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{
                               {"0", depthwise.ptr()}, {"2", norm.ptr()}, {"3", expand.ptr()}, {"5", project.ptr()}}));
  layer_scale = register_parameter("layer_scale", at::full({dim, 1, 1}, 1e-6));
}

at::Tensor CNBlockImpl::forward(const at::Tensor& x) {
  at::Tensor y = depthwise->forward(x).permute({0, 2, 3, 1});                 // [B, H, W, dim]
  y = project->forward(at::gelu(expand->forward(norm->forward(y))));          // [B, H, W, dim]
  y = layer_scale * y.permute({0, 3, 1, 2});                                 // [B, dim, H, W]
  return stochastic_depth(y, stochastic_depth_prob, is_training()) + x;
}

std::string CNBlockImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    y = getattr(self.block, \"0\").forward(x).permute([0, 2, 3, 1])\n"
         "    y = getattr(self.block, \"2\").forward(y)\n"
         "    y = getattr(self.block, \"5\").forward(torch.gelu(getattr(self.block, \"3\").forward(y)))\n"
         "    return self.layer_scale * y.permute([0, 3, 1, 2]) + x\n";
}

ConvNeXtImpl::ConvNeXtImpl(const ConvNeXtOptions& o) : options(o) {
  const auto& stages = o.stages;
  features = nn::Sequential();
  features->push_back(NestedSequential(nn::Conv2d(nn::Conv2dOptions(3, stages[0].channels, 4).stride(4)),
                                     LayerNorm2d(stages[0].channels, 1e-6)));
  int64_t total_blocks = 0, block_id = 0;
  for (const auto& s : stages) total_blocks += s.blocks;
  for (const auto& s : stages) {
    NestedSequential stage;
    for (int64_t b = 0; b < s.blocks; ++b, ++block_id) {
      stage->push_back(CNBlock(s.channels, o.stochastic_depth_prob * block_id / (total_blocks - 1.0)));
    }
    features->push_back(stage);
    if (s.out_channels > 0) {
      features->push_back(NestedSequential(LayerNorm2d(s.channels, 1e-6),
                                         nn::Conv2d(nn::Conv2dOptions(s.channels, s.out_channels, 2).stride(2))));
    }
  }
  register_module("features", features);
  feature_size_ = stages.back().channels;
  head_norm = LayerNorm2d(feature_size_, 1e-6);
  classifier = register_module(
      "classifier", IndexedLayers(std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{{"0", head_norm.ptr()}}));
}

at::Tensor ConvNeXtImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "convnext", 32);
  at::Tensor x = features->forward(images);       // [B, F, H/32, W/32]
  x = at::adaptive_avg_pool2d(x, {1, 1});         // [B, F, 1, 1]
  return head_norm->forward(x).flatten(1);        // [B, F]
}

std::string ConvNeXtImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = torch.adaptive_avg_pool2d(self.features.forward(x), [1, 1])\n"
         "    return getattr(self.classifier, \"0\").forward(x).flatten(1)\n";
}

void ConvNeXtImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* c = module->as<nn::Conv2d>()) {
      trunc_normal_from(c->weight, 0.02, generator);
      c->bias.zero_();
    } else if (auto* l = module->as<nn::Linear>()) {
      trunc_normal_from(l->weight, 0.02, generator);
      l->bias.zero_();
    } else if (auto* n = module->as<nn::LayerNorm>()) {
      n->weight.fill_(1.0);
      n->bias.zero_();
    } else if (auto* n2 = module->as<LayerNorm2dImpl>()) {
      n2->weight.fill_(1.0);
      n2->bias.zero_();
    } else if (auto* block = module->as<CNBlockImpl>()) {
      block->layer_scale.fill_(1e-6);
    }
  }
}

std::shared_ptr<ImageEncoderImpl> make_convnext(const std::string& variant) {
  return std::make_shared<ConvNeXtImpl>(ConvNeXtOptions::variant(variant));
}

}  // namespace fdl
