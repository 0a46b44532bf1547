#include "nn/inception_blocks.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

namespace fdl {

namespace nn = torch::nn;

BasicConv2dImpl::BasicConv2dImpl(int64_t in, int64_t out, const ConvShape& s) {
  conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(in, out, {s.kernel[0], s.kernel[1]})
                                                .stride(s.stride)
                                                .padding({s.padding[0], s.padding[1]})
                                                .bias(false)));
  bn = register_module("bn", nn::BatchNorm2d(nn::BatchNorm2dOptions(out).eps(0.001)));
}

at::Tensor BasicConv2dImpl::forward(const at::Tensor& x) { return bn->forward(conv->forward(x)).relu_(); }

std::string BasicConv2dImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    return torch.relu(self.bn.forward(self.conv.forward(x)))\n";
}

at::Tensor apply_pool(InceptionPool pool, const at::Tensor& x) {
  switch (pool) {
    case InceptionPool::None: return x;
    case InceptionPool::Max3Stride1Ceil: return at::max_pool2d(x, {3, 3}, {1, 1}, {1, 1}, {1, 1}, /*ceil_mode=*/true);
    case InceptionPool::Avg3Stride1: return at::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1});
    case InceptionPool::Max3Stride2: return at::max_pool2d(x, {3, 3}, {2, 2});
  }
  TORCH_CHECK(false, "unknown inception pooling");
}

std::string pool_code(InceptionPool pool, const std::string& x) {
  switch (pool) {
    case InceptionPool::None: return x;
    case InceptionPool::Max3Stride1Ceil: return "torch.max_pool2d(" + x + ", [3, 3], [1, 1], [1, 1], [1, 1], True)";
    case InceptionPool::Avg3Stride1: return "torch.avg_pool2d(" + x + ", [3, 3], [1, 1], [1, 1])";
    case InceptionPool::Max3Stride2: return "torch.max_pool2d(" + x + ", [3, 3], [2, 2])";
  }
  TORCH_CHECK(false, "unknown inception pooling");
}

InceptionBlockImpl::Step InceptionBlockImpl::conv(const std::string& key, int64_t in, int64_t out, const ConvShape& s) {
  Step step;
  step.conv = BasicConv2d(in, out, s);
  size_t dot = key.find('.');
  if (dot == std::string::npos) {
    register_module(key, step.conv);
    step.conv_path = "self." + key;
  } else {
    std::string parent = key.substr(0, dot), index = key.substr(dot + 1);
    IndexedLayers layers{nullptr};
    if (auto existing = named_children().find(parent)) {
      layers = IndexedLayers(std::dynamic_pointer_cast<IndexedLayersImpl>(*existing));
    } else {
      layers = register_module(parent, IndexedLayers());
    }
    layers->add(index, step.conv.ptr());
    step.conv_path = "getattr(self." + parent + ", \"" + index + "\")";
  }
  return step;
}

InceptionBlockImpl::Step InceptionBlockImpl::pool(InceptionPool p) {
  Step step;
  step.pool = p;
  return step;
}

InceptionBlockImpl::Step InceptionBlockImpl::split(const std::string& key_a, const std::string& key_b, int64_t in,
                                                   int64_t out, const ConvShape& shape_a, const ConvShape& shape_b) {
  Step step = conv(key_a, in, out, shape_a);
  Step second = conv(key_b, in, out, shape_b);
  step.split = second.conv;
  step.split_path = second.conv_path;
  return step;
}

at::Tensor InceptionBlockImpl::forward(const at::Tensor& x) {
  std::vector<at::Tensor> outputs;
  for (auto& branch : branches) {
    at::Tensor y = x;
    for (auto& step : branch) {
      if (step.pool != InceptionPool::None) {
        y = apply_pool(step.pool, y);
      } else if (!step.split.is_empty()) {
        y = at::cat({step.conv->forward(y), step.split->forward(y)}, 1);
      } else {
        y = step.conv->forward(y);
      }
    }
    outputs.push_back(y);
  }
  return at::cat(outputs, 1);
}

std::string InceptionBlockImpl::torchscript_forward() const {
  std::string code = "def forward(self, x: Tensor) -> Tensor:\n", outputs;
  for (size_t b = 0; b < branches.size(); ++b) {
    std::string y = "y" + std::to_string(b);
    code += "    " + y + " = x\n";
    for (const auto& step : branches[b]) {
      if (step.pool != InceptionPool::None) {
        code += "    " + y + " = " + pool_code(step.pool, y) + "\n";
      } else if (!step.split.is_empty()) {
        code += "    " + y + " = torch.cat([" + step.conv_path + ".forward(" + y + "), " + step.split_path + ".forward(" +
                y + ")], 1)\n";
      } else {
        code += "    " + y + " = " + step.conv_path + ".forward(" + y + ")\n";
      }
    }
    outputs += (outputs.empty() ? "" : ", ") + y;
  }
  return code + "    return torch.cat([" + outputs + "], 1)\n";
}

at::Tensor transform_input(const at::Tensor& x) {
  // x_c * (std_c / 0.5) + (mean_c - 0.5) / 0.5, channel by channel as torchvision computes it.
  const double mean[] = {0.485, 0.456, 0.406}, std[] = {0.229, 0.224, 0.225};
  std::vector<at::Tensor> channels;
  for (int64_t c = 0; c < 3; ++c) channels.push_back(x.select(1, c).unsqueeze(1) * (std[c] / 0.5) + (mean[c] - 0.5) / 0.5);
  return at::cat(channels, 1);
}

std::string transform_input_code() {
  const double mean[] = {0.485, 0.456, 0.406}, std[] = {0.229, 0.224, 0.225};
  std::string channels;
  for (int c = 0; c < 3; ++c) {
    channels += std::string(c ? ", " : "") + "x.select(1, " + std::to_string(c) + ").unsqueeze(1) * " +
                torchscript_literal(std[c] / 0.5) + " + " + torchscript_literal((mean[c] - 0.5) / 0.5);
  }
  return "    x = torch.cat([" + channels + "], 1)\n";
}

void reset_inception_parameters(nn::Module& model, double std, uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& module : model.modules(/*include_self=*/false)) {
    if (auto* c = module->as<nn::Conv2d>()) {
      trunc_normal_from(c->weight, std, generator);
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
      bn->running_mean.zero_();
      bn->running_var.fill_(1.0);
      bn->num_batches_tracked.zero_();
    }
  }
}

}  // namespace fdl
