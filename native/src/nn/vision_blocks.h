// Pieces shared by the torchvision transformer-era families (convnext, vit, swin_transformer) and the
// inception families: torchvision's initialisers drawn from a seeded generator, stochastic depth,
// LayerNorm2d, the transformer MLP, and a container that keeps torchvision's Sequential indices for
// layers whose parameter-free neighbours (Permute, GELU, Dropout) Fidelio runs in the parent's forward.
#pragma once

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/torchscript_code.h"
#include "nn/layer_stack.h"
#include "nn/torchscript_source.h"

namespace fdl {

// torch.nn.init.trunc_normal_(t, mean=0, std=std, a=-2, b=2) (absolute bounds, as torchvision
// calls it), drawn on the CPU from generator so the values do not depend on the device.
void trunc_normal_from(const at::Tensor& t, double std, at::Generator& generator);
// torch.nn.init.normal_(t, mean, std).
void normal_from(const at::Tensor& t, double mean, double std, at::Generator& generator);
// U(-bound, bound).
void uniform_from(const at::Tensor& t, double bound, at::Generator& generator);
// torch.nn.init.xavier_uniform_(t) for a Linear weight [out, in].
void xavier_uniform_from(const at::Tensor& t, at::Generator& generator);

// torchvision.ops.stochastic_depth(x, p, "row", training): each sample's residual branch dropped
// with probability p and the survivors scaled by 1 / (1 - p); the identity in evaluation.
at::Tensor stochastic_depth(const at::Tensor& x, double p, bool training);


// Throws FDL_ERR_INVALID_ARGUMENT unless images is floating point [B, 3, H, W] with H, W >= min_size.
void require_rgb_images(const at::Tensor& images, const std::string& family, int64_t min_size);

// torchvision's LayerNorm2d: LayerNorm over the channels of an NCHW tensor (keys weight, bias).
struct LayerNorm2dImpl : torch::nn::Module, TorchScriptSource {
  LayerNorm2dImpl(int64_t channels, double eps);
  at::Tensor forward(const at::Tensor& x);  // [B, C, H, W] -> [B, C, H, W]
  std::string torchscript_forward() const override;

  int64_t channels;
  double eps;
  at::Tensor weight, bias;
};
TORCH_MODULE(LayerNorm2d);

// torchvision.ops.MLP(dim, [hidden, dim], activation_layer=GELU) as ViT and Swin use it: keys
// "0" (Linear dim->hidden) and "3" (Linear hidden->dim); GELU (exact) and dropout between.
struct TransformerMlpImpl : torch::nn::Module, TorchScriptSource {
  TransformerMlpImpl(int64_t dim, int64_t hidden, double dropout);
  at::Tensor forward(const at::Tensor& x);  // [..., dim] -> [..., dim]
  std::string torchscript_forward() const override;

  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  double dropout;
};
TORCH_MODULE(TransformerMlp);

// Children under torchvision's Sequential indices ("0", "2", ...) with no forward of its own: the
// owner runs them with the parameter-free steps in between, so the checkpoint keys stay as they are.
struct IndexedLayersImpl : torch::nn::Module, TorchScriptSource {
  explicit IndexedLayersImpl(std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> layers = {});
  void add(const std::string& index, std::shared_ptr<torch::nn::Module> layer) { register_module(index, std::move(layer)); }
  std::string torchscript_forward() const override { return ""; }  // the owner's source calls the layers
};
TORCH_MODULE(IndexedLayers);

}  // namespace fdl
