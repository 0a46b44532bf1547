// The fdl_resnet handle: a torchvision ResNet that Java loads weights into and hands to an ECD model.
#pragma once

#include <ATen/core/Tensor.h>

#include "resnet.h"

struct fdl_resnet {
  fdl::ResNet model;
};

namespace fdl {
// Throws FDL_ERR_INVALID_ARGUMENT unless images is floating point [B, in_channels, H, W], non-empty.
void require_images(const at::Tensor& images, const ResNetOptions& o);
}  // namespace fdl
