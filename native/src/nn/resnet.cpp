// The ResNet, block for block as torchvision's resnet.py: conv1 7x7/2, bn1, relu, maxpool 3x3/2,
// four stages of blocks (the first block of stages 2-4 halves the resolution), global average
// pooling. The fc head is left to the caller.
#include "nn/resnet.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/failure.h"
#include "core/tensor_checks.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

// torchvision's BatchNorm2d defaults: eps 1e-5, momentum 0.1, affine, tracked running statistics.
nn::BatchNorm2d batch_norm(int64_t channels) { return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels)); }

// The projection shortcut ("downsample.0" conv 1x1, "downsample.1" batch norm), or an empty
// holder when the identity fits.
nn::Sequential downsample_for(int64_t in_planes, int64_t out_planes, int64_t stride) {
  if (stride == 1 && in_planes == out_planes) return nn::Sequential(nullptr);
  return nn::Sequential(conv(in_planes, out_planes, 1, stride, 0), batch_norm(out_planes));
}

}  // namespace

std::vector<int64_t> ResNetOptions::blocks_per_stage() const {
  switch (variant) {
    case 18: return {2, 2, 2, 2};
    case 34: return {3, 4, 6, 3};
    case 50: return {3, 4, 6, 3};
    case 101: return {3, 4, 23, 3};
    case 152: return {3, 8, 36, 3};
  }
  TORCH_CHECK(false, "ResNet model_variant must be 18, 34, 50, 101 or 152, got ", variant);
}

void ResNetOptions::validate() const {
  blocks_per_stage();
  TORCH_CHECK(in_channels >= 1 && in_channels <= 4, "ResNet in_channels must lie in [1, 4], got ", in_channels);
}

BasicBlockImpl::BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride) {
  conv1 = register_module("conv1", conv(in_planes, planes, 3, stride, 1));
  bn1 = register_module("bn1", batch_norm(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1));
  bn2 = register_module("bn2", batch_norm(planes));
  downsample = downsample_for(in_planes, planes, stride);
  if (!downsample.is_empty()) register_module("downsample", downsample);
}

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  // In place where torchvision is (ReLU(inplace=True), out += identity): batch norm's backward
  // needs its input, not its output, so its output may be overwritten; fewer large allocations.
  at::Tensor out = bn1->forward(conv1->forward(x)).relu_();
  out = bn2->forward(conv2->forward(out));
  out += downsample.is_empty() ? x : downsample->forward(x);
  return out.relu_();
}

BottleneckImpl::BottleneckImpl(int64_t in_planes, int64_t planes, int64_t stride) {
  conv1 = register_module("conv1", conv(in_planes, planes, 1, 1, 0));
  bn1 = register_module("bn1", batch_norm(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, stride, 1));
  bn2 = register_module("bn2", batch_norm(planes));
  conv3 = register_module("conv3", conv(planes, planes * 4, 1, 1, 0));
  bn3 = register_module("bn3", batch_norm(planes * 4));
  downsample = downsample_for(in_planes, planes * 4, stride);
  if (!downsample.is_empty()) register_module("downsample", downsample);
}

at::Tensor BottleneckImpl::forward(const at::Tensor& x) {
  at::Tensor out = bn1->forward(conv1->forward(x)).relu_();
  out = bn2->forward(conv2->forward(out)).relu_();
  out = bn3->forward(conv3->forward(out));
  out += downsample.is_empty() ? x : downsample->forward(x);
  return out.relu_();
}

ResNetImpl::ResNetImpl(const ResNetOptions& o) : options(o) {
  o.validate();
  conv1 = register_module("conv1", conv(o.in_channels, 64, 7, 2, 3));
  bn1 = register_module("bn1", batch_norm(64));
  std::vector<int64_t> blocks = o.blocks_per_stage();
  int64_t expansion = o.bottleneck() ? 4 : 1;
  int64_t in_planes = 64;
  nn::Sequential* stages[] = {&layer1, &layer2, &layer3, &layer4};
  for (int stage = 0; stage < 4; ++stage) {
    int64_t planes = 64 << stage;
    nn::Sequential layer;
    for (int64_t b = 0; b < blocks[stage]; ++b) {
      int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
      if (o.bottleneck()) {
        layer->push_back(Bottleneck(in_planes, planes, stride));
      } else {
        layer->push_back(BasicBlock(in_planes, planes, stride));
      }
      in_planes = planes * expansion;
    }
    *stages[stage] = register_module("layer" + std::to_string(stage + 1), layer);
  }
}

at::Tensor ResNetImpl::forward(const at::Tensor& images) {
  // Channels-last activations: oneDNN's convolutions then skip their NCHW<->blocked reorders and
  // batch norm and pooling have channels-last kernels; the layout propagates from the input through
  // every layer. A train step of resnet18 (batch 32, 224x224) is ~13% faster on CPU this way, with
  // the same values (benchmarks/results/resnet-*.md). The weights keep torchvision's layout.
  at::Tensor x = conv1->forward(images.contiguous(at::MemoryFormat::ChannelsLast));
  x = bn1->forward(x).relu_();                                            // [B, 64, H/2, W/2]
  x = at::max_pool2d(x, /*kernel_size=*/{3, 3}, /*stride=*/{2, 2}, /*padding=*/{1, 1});  // [B, 64, H/4, W/4]
  x = layer4->forward(layer3->forward(layer2->forward(layer1->forward(x))));  // [B, F, H/32, W/32]
  return at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);                  // [B, F]
}

void ResNetImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* c = module->as<nn::Conv2d>()) {
      // kaiming_normal_(mode="fan_out", nonlinearity="relu"): std = sqrt(2 / (out * kh * kw))
      const at::Tensor& w = c->weight;
      double fan_out = static_cast<double>(w.size(0) * w.size(2) * w.size(3));
      // drawn on the CPU, so the values do not depend on the device
      w.copy_(at::empty(w.sizes(), w.options().device(at::kCPU)).normal_(0.0, std::sqrt(2.0 / fan_out), generator));
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
      bn->running_mean.zero_();
      bn->running_var.fill_(1.0);
      bn->num_batches_tracked.zero_();
    }
  }
}

void require_images(const at::Tensor& images, const ResNetOptions& o) {
  require(images.dim() == 4 && images.is_floating_point(),
          std::string("images must be floating point [batch, channels, height, width], got ") +
              c10::toString(images.scalar_type()) + " " + shape_string(images.sizes()));
  require(images.size(1) == o.in_channels, "images have " + std::to_string(images.size(1)) +
                                               " channels, the ResNet takes " + std::to_string(o.in_channels));
  require(images.size(0) > 0 && images.size(2) > 0 && images.size(3) > 0, "images are empty: " +
                                                                              shape_string(images.sizes()));
}

}  // namespace fdl
