// torchvision's GoogLeNet (torchvision/models/googlenet.py) under its state_dict keys
// ("conv1.conv.weight", "inception3a.branch2.1.bn.running_var", ...), as Ludwig 0.10 builds it:
// the aux classifiers dropped (aux_logits=False, no aux1/aux2 keys) and fc cut, so the features
// are the pooled 1024 channels after dropout. transform_input is on by default, as torchvision
// sets it for its pretrained weights (Ludwig's default, use_pretrained); a model trained from
// scratch in Ludwig has it off.
#pragma once

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/inception_blocks.h"

namespace fdl {

struct GoogLeNetOptions {
  bool transform_input = true;
  double dropout = 0.2;
};

struct GoogLeNetImpl : ImageEncoderImpl, TorchScriptSource {
  explicit GoogLeNetImpl(const GoogLeNetOptions& o = {});
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] (H, W >= 15) -> [B, 1024]
  int64_t feature_size() const override { return 1024; }
  // torchvision's init_weights: trunc_normal_(std=0.01) convolutions, unit batch norms.
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  GoogLeNetOptions options;
  BasicConv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  InceptionBlock inception3a{nullptr}, inception3b{nullptr}, inception4a{nullptr}, inception4b{nullptr},
      inception4c{nullptr}, inception4d{nullptr}, inception4e{nullptr}, inception5a{nullptr}, inception5b{nullptr};
};
TORCH_MODULE(GoogLeNet);

// Ludwig's googlenet model_variant ("base", the only one); others are FDL_ERR_INVALID_ARGUMENT.
std::shared_ptr<ImageEncoderImpl> make_googlenet(const std::string& variant);

}  // namespace fdl
