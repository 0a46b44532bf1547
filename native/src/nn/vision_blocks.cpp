#include "nn/vision_blocks.h"

#include <ATen/ATen.h>

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "core/failure.h"
#include "core/tensor_checks.h"

namespace fdl {

namespace {

// Draws on the CPU with fill, then copies into t (whatever its device).
template <class Fill>
void draw_into(const at::Tensor& t, Fill fill) {
  at::NoGradGuard no_grad;
  at::Tensor cpu = at::empty(t.sizes(), t.options().device(at::kCPU));
  fill(cpu);
  t.copy_(cpu);
}

double normal_cdf(double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; }

}  // namespace

void trunc_normal_from(const at::Tensor& t, double std, at::Generator& generator) {
  // torch.nn.init._no_grad_trunc_normal_: inverse-CDF sampling of the truncated normal.
  const double a = -2.0, b = 2.0;
  double low = normal_cdf(a / std), high = normal_cdf(b / std);
  draw_into(t, [&](at::Tensor& x) {
    x.uniform_(2 * low - 1, 2 * high - 1, generator).erfinv_().mul_(std * std::sqrt(2.0)).clamp_(a, b);
  });
}

void normal_from(const at::Tensor& t, double mean, double std, at::Generator& generator) {
  draw_into(t, [&](at::Tensor& x) { x.normal_(mean, std, generator); });
}

void uniform_from(const at::Tensor& t, double bound, at::Generator& generator) {
  draw_into(t, [&](at::Tensor& x) { x.uniform_(-bound, bound, generator); });
}

void xavier_uniform_from(const at::Tensor& t, at::Generator& generator) {
  uniform_from(t, std::sqrt(6.0 / static_cast<double>(t.size(0) + t.size(1))), generator);
}

at::Tensor stochastic_depth(const at::Tensor& x, double p, bool training) {
  if (!training || p == 0.0) return x;
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  double survival = 1.0 - p;
  at::Tensor noise = at::empty(shape, x.options()).bernoulli_(survival);
  if (survival > 0.0) noise.div_(survival);
  return x * noise;
}

void require_rgb_images(const at::Tensor& images, const std::string& family, int64_t min_size) {
  require(images.dim() == 4 && images.is_floating_point() && images.size(1) == 3,
          family + " takes floating point RGB images [batch, 3, height, width], got " +
              c10::toString(images.scalar_type()) + " " + shape_string(images.sizes()));
  require(images.size(0) > 0 && images.size(2) >= min_size && images.size(3) >= min_size,
          family + " needs a non-empty batch of images at least " + std::to_string(min_size) + "x" +
              std::to_string(min_size) + ", got " + shape_string(images.sizes()));
}

LayerNorm2dImpl::LayerNorm2dImpl(int64_t c, double e) : channels(c), eps(e) {
  weight = register_parameter("weight", at::ones({c}));
  bias = register_parameter("bias", at::zeros({c}));
}

at::Tensor LayerNorm2dImpl::forward(const at::Tensor& x) {
  return at::layer_norm(x.permute({0, 2, 3, 1}), {channels}, weight, bias, eps).permute({0, 3, 1, 2});
}

std::string LayerNorm2dImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = torch.layer_norm(x.permute([0, 2, 3, 1]), [" + std::to_string(channels) + "], self.weight, self.bias, " +
         torchscript_literal(eps) + ")\n"
         "    return x.permute([0, 3, 1, 2])\n";
}

TransformerMlpImpl::TransformerMlpImpl(int64_t dim, int64_t hidden, double p) : dropout(p) {
  fc1 = register_module("0", torch::nn::Linear(dim, hidden));
  fc2 = register_module("3", torch::nn::Linear(hidden, dim));
}

at::Tensor TransformerMlpImpl::forward(const at::Tensor& x) {
  at::Tensor h = at::dropout(at::gelu(fc1->forward(x)), dropout, is_training());
  return at::dropout(fc2->forward(h), dropout, is_training());
}

std::string TransformerMlpImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    return getattr(self, \"3\").forward(torch.gelu(getattr(self, \"0\").forward(x)))\n";
}

IndexedLayersImpl::IndexedLayersImpl(std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> layers) {
  for (auto& [name, layer] : layers) register_module(name, layer);
}

}  // namespace fdl
