// The fdl_resnet handle: a torchvision ResNet that Java loads weights into and hands to an ECD model.
#pragma once

#include <ATen/core/Tensor.h>

#include "nn/resnet.h"

struct fdl_resnet {
  fdl::ResNet model;
};
