// make_image_encoder: Ludwig 0.10's torchvision encoder types and their model_variants, one row per
// type. A family joins by adding its row (type, factory, variants in Ludwig's order); everything
// above (ABI, ECD input, export, Java) is family-neutral.
#include <ATen/core/Tensor.h>

#include <functional>
#include <vector>

#include "core/failure.h"
#include "core/tensor_checks.h"
#include "nn/alexnet.h"
#include "nn/convnext.h"
#include "nn/densenet.h"
#include "nn/efficientnet.h"
#include "nn/googlenet.h"
#include "nn/image_encoder.h"
#include "nn/inceptionv3.h"
#include "nn/maxvit.h"
#include "nn/mnasnet.h"
#include "nn/mobilenet.h"
#include "nn/regnet.h"
#include "nn/resnet.h"
#include "nn/shufflenet.h"
#include "nn/squeezenet.h"
#include "nn/swin_transformer.h"
#include "nn/vgg.h"
#include "nn/vit.h"

namespace fdl {
namespace {

struct ImageFamily {
  const char* type;  // Ludwig's encoder type
  std::function<std::shared_ptr<ImageEncoderImpl>(const std::string&)> make;
  std::vector<std::string> variants;  // Ludwig's model_variant values (schema/encoders/image/torchvision.py)
};

const std::vector<ImageFamily>& families() {
  static const std::vector<ImageFamily> table = {
      {"alexnet", make_alexnet, {"base"}},
      {"resnet", [](const std::string& v) { return make_resnet(v); }, {"18", "34", "50", "101", "152"}},
      {"resnext", make_resnext, {"50_32x4d", "101_32x8d", "101_64x4d"}},
      {"squeezenet", make_squeezenet, {"1_0", "1_1"}},
      {"vgg", make_vgg, {"11", "11_bn", "13", "13_bn", "16", "16_bn", "19", "19_bn"}},
      {"wide_resnet", make_wide_resnet, {"50_2", "101_2"}},
      {"mobilenetv2", make_mobilenetv2, {"base"}},
      {"mobilenetv3", make_mobilenetv3, {"small", "large"}},
      {"mnasnet", make_mnasnet, {"0_5", "0_75", "1_0", "1_3"}},
      {"efficientnet", make_efficientnet, {"b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "v2_s", "v2_m", "v2_l"}},
      {"shufflenet_v2", make_shufflenet_v2, {"x0_5", "x1_0", "x1_5", "x2_0"}},
      {"regnet", make_regnet, {"x_1_6gf", "x_16gf", "x_32gf", "x_3_2gf", "x_400mf", "x_800mf", "x_8gf", "y_128gf",
                               "y_16gf", "y_1_6gf", "y_32gf", "y_3_2gf", "y_400mf", "y_800mf", "y_8gf"}},
      {"densenet", make_densenet, {"121", "161", "169", "201"}},
      {"convnext", make_convnext, {"tiny", "small", "base", "large"}},
      {"vit", make_vit, {"b_16", "b_32", "l_16", "l_32", "h_14"}},
      {"swin_transformer", make_swin_transformer, {"t", "s", "b"}},
      {"maxvit", make_maxvit, {"t"}},
      {"googlenet", make_googlenet, {"base"}},
      {"inceptionv3", make_inceptionv3, {"base"}},
  };
  return table;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::shared_ptr<ImageEncoderImpl> make_image_encoder(const std::string& type, const std::string& variant,
                                                     int64_t in_channels) {
  const ImageFamily* family = nullptr;
  std::vector<std::string> types;
  for (const auto& f : families()) {
    types.push_back(f.type);
    if (type == f.type) family = &f;
  }
  require(family != nullptr, "unknown image encoder type '" + type + "'; known types: " + joined(types));
  bool known = false;
  for (const auto& v : family->variants) known = known || v == variant;
  require(known, type + " model_variant must be one of " + joined(family->variants) + ", got '" + variant + "'");
  if (in_channels == 3) return family->make(variant);
  require(type == "resnet", type + " takes 3-channel images, got in_channels " + std::to_string(in_channels) +
                                " (only resnet supports 1..4; set preprocessing.num_channels: 3)");
  require(in_channels >= 1 && in_channels <= 4, "resnet in_channels must lie in [1, 4], got " +
                                                    std::to_string(in_channels));
  return make_resnet(variant, in_channels);
}

void require_images(const at::Tensor& images, const ImageEncoderImpl& encoder) {
  require(images.dim() == 4 && images.is_floating_point(),
          std::string("images must be floating point [batch, channels, height, width], got ") +
              c10::toString(images.scalar_type()) + " " + shape_string(images.sizes()));
  require(images.size(1) == encoder.in_channels(), "images have " + std::to_string(images.size(1)) +
                                                       " channels, the " + encoder.name() + " takes " +
                                                       std::to_string(encoder.in_channels()));
  require(images.size(0) > 0 && images.size(2) > 0 && images.size(3) > 0,
          "images are empty: " + shape_string(images.sizes()));
}

}  // namespace fdl
