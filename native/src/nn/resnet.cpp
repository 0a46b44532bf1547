// The ResNet, block for block as torchvision's resnet.py: conv1 7x7/2, bn1, relu, maxpool 3x3/2,
// four stages of blocks (the first block of stages 2-4 halves the resolution), global average
// pooling. The fc head is left to the caller. Each module writes its own TorchScript forward
// (evaluation mode) for the export.
#include "nn/resnet.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/failure.h"
#include "core/tensor_checks.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, int64_t groups = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).groups(groups).bias(false));
}

// torchvision's BatchNorm2d defaults: eps 1e-5, momentum 0.1, affine, tracked running statistics.
nn::BatchNorm2d batch_norm(int64_t channels) { return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels)); }

// The projection shortcut ("downsample.0" conv 1x1, "downsample.1" batch norm), or an empty
// holder when the identity fits.
nn::Sequential downsample_for(int64_t in_planes, int64_t out_planes, int64_t stride) {
  if (stride == 1 && in_planes == out_planes) return nn::Sequential(nullptr);
  return nn::Sequential(conv(in_planes, out_planes, 1, stride, 0), batch_norm(out_planes));
}

// A torchvision block's forward: its convolutions with batch norm and ReLU, then the shortcut added.
std::string residual_block_code(int convolutions, bool downsample) {
  std::string code = "def forward(self, x: Tensor) -> Tensor:\n    out = x\n";
  for (int i = 1; i <= convolutions; ++i) {
    std::string n = std::to_string(i);
    code += "    out = self.bn" + n + ".forward(self.conv" + n + ".forward(out))\n";
    if (i < convolutions) code += "    out = torch.relu(out)\n";
  }
  return code + "    return torch.relu(out + " + (downsample ? "self.downsample.forward(x)" : "x") + ")\n";
}

// model_variant -> options; the dispatcher (image_encoders.cpp) lists the valid names on a miss.
ResNetOptions options_for(const std::string& type, const std::string& variant,
                          const std::vector<std::pair<std::string, ResNetOptions>>& variants) {
  for (const auto& [name, options] : variants) {
    if (name == variant) return options;
  }
  std::string known;
  for (const auto& v : variants) known += (known.empty() ? "" : ", ") + v.first;
  fail(FDL_ERR_INVALID_ARGUMENT, type + " model_variant must be one of " + known + ", got '" + variant + "'");
}

}  // namespace

std::vector<int64_t> ResNetOptions::blocks_per_stage() const {
  switch (depth) {
    case 18: return {2, 2, 2, 2};
    case 34: return {3, 4, 6, 3};
    case 50: return {3, 4, 6, 3};
    case 101: return {3, 4, 23, 3};
    case 152: return {3, 8, 36, 3};
  }
  TORCH_CHECK(false, "ResNet depth must be 18, 34, 50, 101 or 152, got ", depth);
}

void ResNetOptions::validate() const {
  blocks_per_stage();
  TORCH_CHECK((groups == 1 && width_per_group == 64) || bottleneck(),
              "ResNet groups and width_per_group need bottleneck blocks (depth >= 50), got depth ", depth);
  TORCH_CHECK(groups >= 1 && width_per_group >= 1, "ResNet groups and width_per_group must be positive, got ",
              groups, " and ", width_per_group);
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

std::string BasicBlockImpl::torchscript_forward() const { return residual_block_code(2, !downsample.is_empty()); }

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  // In place where torchvision is (ReLU(inplace=True), out += identity): batch norm's backward
  // needs its input, not its output, so its output may be overwritten; fewer large allocations.
  at::Tensor out = bn1->forward(conv1->forward(x)).relu_();
  out = bn2->forward(conv2->forward(out));
  out += downsample.is_empty() ? x : downsample->forward(x);
  return out.relu_();
}

BottleneckImpl::BottleneckImpl(int64_t in_planes, int64_t planes, int64_t stride, int64_t groups,
                               int64_t width_per_group) {
  int64_t width = planes * width_per_group / 64 * groups;  // int(planes * (base_width / 64.0)) * groups
  conv1 = register_module("conv1", conv(in_planes, width, 1, 1, 0));
  bn1 = register_module("bn1", batch_norm(width));
  conv2 = register_module("conv2", conv(width, width, 3, stride, 1, groups));
  bn2 = register_module("bn2", batch_norm(width));
  conv3 = register_module("conv3", conv(width, planes * 4, 1, 1, 0));
  bn3 = register_module("bn3", batch_norm(planes * 4));
  downsample = downsample_for(in_planes, planes * 4, stride);
  if (!downsample.is_empty()) register_module("downsample", downsample);
}

std::string BottleneckImpl::torchscript_forward() const { return residual_block_code(3, !downsample.is_empty()); }

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
        layer->push_back(Bottleneck(in_planes, planes, stride, o.groups, o.width_per_group));
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

std::string ResNetImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = torch.relu(self.bn1.forward(self.conv1.forward(x)))\n"
         "    x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1])\n"
         "    x = self.layer4.forward(self.layer3.forward(self.layer2.forward(self.layer1.forward(x))))\n"
         "    return torch.adaptive_avg_pool2d(x, [1, 1]).flatten(1)\n";
}

void kaiming_normal_fan_out_(const at::Tensor& weight, at::Generator& generator) {
  // std = sqrt(2 / fan_out), fan_out = out_channels * receptive field size
  double fan_out = static_cast<double>(weight.numel() / weight.size(1));
  weight.copy_(at::empty(weight.sizes(), weight.options().device(at::kCPU))
                   .normal_(0.0, std::sqrt(2.0 / fan_out), generator));
}

void ResNetImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* c = module->as<nn::Conv2d>()) {
      kaiming_normal_fan_out_(c->weight, generator);
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
      bn->running_mean.zero_();
      bn->running_var.fill_(1.0);
      bn->num_batches_tracked.zero_();
    }
  }
}

std::shared_ptr<ImageEncoderImpl> make_resnet(const std::string& variant, int64_t in_channels) {
  ResNetOptions o = options_for("resnet", variant, {{"18", {18}}, {"34", {34}}, {"50", {50}}, {"101", {101}},
                                                    {"152", {152}}});
  o.in_channels = in_channels;
  return std::make_shared<ResNetImpl>(o);
}

// torchvision's resnext50_32x4d, resnext101_32x8d, resnext101_64x4d: grouped 3x3 convolutions.
std::shared_ptr<ImageEncoderImpl> make_resnext(const std::string& variant) {
  return std::make_shared<ResNetImpl>(options_for(
      "resnext", variant, {{"50_32x4d", {50, 32, 4}}, {"101_32x8d", {101, 32, 8}}, {"101_64x4d", {101, 64, 4}}}));
}

// torchvision's wide_resnet50_2, wide_resnet101_2: bottlenecks twice as wide (width_per_group 128).
std::shared_ptr<ImageEncoderImpl> make_wide_resnet(const std::string& variant) {
  return std::make_shared<ResNetImpl>(options_for("wide_resnet", variant, {{"50_2", {50, 1, 128}}, {"101_2", {101, 1, 128}}}));
}

}  // namespace fdl
