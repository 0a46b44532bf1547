// The fdl_image_encoder handle: a torchvision image encoder of any family (nn/image_encoder.h) that
// Java loads weights into and hands to an ECD model.
#pragma once

#include <memory>

#include "nn/image_encoder.h"

struct fdl_image_encoder {
  std::shared_ptr<fdl::ImageEncoderImpl> model;
};
