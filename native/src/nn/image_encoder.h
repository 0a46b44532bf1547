// What every torchvision image family (resnet, vgg, efficientnet, vit, ...) is to the rest of
// Fidelio: torchvision's model under torchvision's state_dict keys, cut where Ludwig 0.10 cuts it
// (ludwig/encoders/image/torchvision.py replaces the last classifier layer by Identity: every
// layer before it, and its keys, stay). One module per family in nn/<family>.{h,cpp};
// nn/image_encoders.cpp picks it by Ludwig's type and model_variant.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fdl {

struct ImageEncoderImpl : torch::nn::Module {
  // images [B, 3, H, W] float (resized and standardised) -> features [B, feature_size()]: what the
  // replaced classifier layer would have received.
  virtual at::Tensor forward(const at::Tensor& images) = 0;
  virtual int64_t feature_size() const = 0;
  // Channels of the images forward takes: 3 except for a resnet built for grayscale or RGBA.
  virtual int64_t in_channels() const { return 3; }
  // torchvision's own initialisation for the family, from seed, independent of the global generator.
  virtual void reset_parameters_like_torchvision(uint64_t seed) = 0;
  // TorchScript export: the family's modules implement TorchScriptSource (torchscript_source.h);
  // the root's source is def forward(self, x: Tensor) -> Tensor.
};

// The module for Ludwig's encoder type ("vgg", "efficientnet", ...) and model_variant ("16_bn",
// "b0", ...); unknown ones are FDL_ERR_INVALID_ARGUMENT listing what exists. in_channels other than
// 3 (1..4) only for resnet (Fidelio's grayscale / RGBA images without pretrained weights).
std::shared_ptr<ImageEncoderImpl> make_image_encoder(const std::string& type, const std::string& variant,
                                                     int64_t in_channels = 3);

// Throws FDL_ERR_INVALID_ARGUMENT unless images is floating point [B, in_channels, H, W], non-empty.
void require_images(const at::Tensor& images, const ImageEncoderImpl& encoder);

}  // namespace fdl
