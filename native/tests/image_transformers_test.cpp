// torchvision's transformer-era and inception image families (convnext, vit, swin_transformer,
// maxvit, googlenet, inceptionv3) against Debian's torchvision 0.14
// (tests/reference/torchvision_transformers_reference.py): every Ludwig 0.10 model_variant loads
// torchvision's state_dict strictly and gives its eval-mode features (max abs diff <= 1e-4, vit
// h_14 included), the first variant of each family also its train-mode parameter gradients
// (<= 1e-4 relative to each tensor's largest entry or, where float32 sums cancel, no further from
// float64 than twice torchvision's own float32 gradient), and the module's TorchScript source,
// scripted as the export scripts it, gives the same features.
// Usage: fidelio_image_transformers_test [family ...]
#include <ATen/ATen.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "check.h"
#include "core/failure.h"
#include "ecd/torchscript_module.h"
#include "nn/convnext.h"
#include "nn/googlenet.h"
#include "nn/inceptionv3.h"
#include "nn/maxvit.h"
#include "nn/state_dict.h"
#include "nn/swin_transformer.h"
#include "nn/vit.h"

using namespace fdl;
namespace fs = std::filesystem;

namespace {

// The module for a variant; train: stochastic depth and dropout off, as the reference's gradients.
using Factory = std::function<std::shared_ptr<ImageEncoderImpl>(const std::string& variant, bool train)>;

struct Family {
  std::string name;
  std::vector<std::string> variants;
  Factory build;
};

// The reference's raw tensors (see the script's docstring), by name.
std::map<std::string, at::Tensor> read_reference(const fs::path& stem) {
  std::ifstream manifest(stem.string() + ".txt");
  std::ifstream data(stem.string() + ".bin", std::ios::binary);
  if (!manifest || !data) fail(FDL_ERR_INVALID_ARGUMENT, "cannot read the reference " + stem.string() + ".{txt,bin}");
  std::map<std::string, at::Tensor> tensors;
  std::string line;
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    std::string name, dtype, shape;
    std::getline(fields, name, '\t');
    std::getline(fields, dtype, '\t');
    std::getline(fields, shape, '\t');
    std::vector<int64_t> sizes;
    std::istringstream dims(shape);
    for (std::string d; std::getline(dims, d, ',');) sizes.push_back(std::stoll(d));
    at::Tensor t = at::empty(sizes, dtype == "int64" ? at::kLong : dtype == "float64" ? at::kDouble : at::kFloat);
    data.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
    if (!data) fail(FDL_ERR_INVALID_ARGUMENT, "the reference " + stem.string() + ".bin ends inside " + name);
    tensors.emplace(name, t);
  }
  return tensors;
}

NamedTensors with_prefix(const std::map<std::string, at::Tensor>& tensors, const std::string& prefix) {
  NamedTensors out;
  for (const auto& [name, t] : tensors) {
    if (name.rfind(prefix, 0) == 0) out.emplace_back(name.substr(prefix.size()), t);
  }
  return out;
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

void check_gradients(const Family& family, const std::string& variant, const std::map<std::string, at::Tensor>& ref,
                     const NamedTensors& state) {
  auto model = family.build(variant, /*train=*/true);
  load_state_strict(*model, state);
  model->train();
  (model->forward(ref.at("images")) * ref.at("weights")).sum().backward();
  NamedTensors expected = with_prefix(ref, "grad.");
  EXPECT(expected.size() == model->named_parameters().size(), "%s %s: %zu reference gradients for %zu parameters",
         family.name.c_str(), variant.c_str(), expected.size(), model->named_parameters().size());
  // Within 1e-4 of each tensor's largest entry; where torchvision's own float32 gradient is not
  // that close to its float64 one (sums that nearly cancel: MaxViT's biases before train-mode
  // batch norms), at least as close to float64 as torchvision's float32 is.
  double model_scale = 0;  // gradients zero in exact arithmetic compare at 1e-6 of it
  for (const auto& [name, g] : expected) model_scale = std::max(model_scale, g.abs().max().item<double>());
  double worst = 0;
  std::string worst_name;
  int judged_by_float64 = 0;
  for (const auto& [name, g] : expected) {
    at::Tensor got = model->named_parameters()[name].grad();
    if (!got.defined()) {
      EXPECT(false, "%s %s: no gradient for %s", family.name.c_str(), variant.c_str(), name.c_str());
      continue;
    }
    double scale = std::max(g.abs().max().item<double>(), 1e-30);
    double relative = max_abs_diff(got, g) / scale;
    if (relative > 1e-4) {
      const at::Tensor& exact = ref.at("grad64." + name);
      double ours = max_abs_diff(got.to(at::kDouble), exact), theirs = max_abs_diff(g.to(at::kDouble), exact);
      std::printf("%s %s: %s differs from torchvision's float32 by %.3g relative; from float64 by %.3g, "
                  "torchvision's float32 by %.3g\n", family.name.c_str(), variant.c_str(), name.c_str(), relative,
                  ours / scale, theirs / scale);
      EXPECT(ours <= 2 * theirs + 1e-6 * model_scale, "%s %s: gradient of %s differs by %.3g relative, and from float64 by %.3g "
             "(torchvision's float32: %.3g)", family.name.c_str(), variant.c_str(), name.c_str(), relative,
             ours / scale, theirs / scale);
      ++judged_by_float64;
      continue;
    }
    if (relative > worst) worst = relative, worst_name = name;
  }
  std::printf("%s %s: train-mode gradients, worst relative diff %.3g (%s), %d judged against float64\n",
              family.name.c_str(), variant.c_str(), worst, worst_name.c_str(), judged_by_float64);
}

void check_variant(const Family& family, const std::string& variant, const fs::path& stem, bool gradients) {
  std::map<std::string, at::Tensor> ref = read_reference(stem);
  NamedTensors state = with_prefix(ref, "state.");
  auto model = family.build(variant, /*train=*/false);
  LoadReport report = load_state_strict(*model, state);
  model->eval();
  at::NoGradGuard no_grad;
  const at::Tensor& images = ref.at("images");
  at::Tensor features = model->forward(images);
  const double tolerance = 1e-4;
  double diff = max_abs_diff(features, ref.at("features"));
  EXPECT(features.sizes() == ref.at("features").sizes() && model->feature_size() == features.size(1),
         "%s %s: features %s, feature_size %lld", family.name.c_str(), variant.c_str(),
         c10::str(features.sizes()).c_str(), static_cast<long long>(model->feature_size()));
  EXPECT(diff <= tolerance, "%s %s: features differ by %.3g", family.name.c_str(), variant.c_str(), diff);
  torch::jit::Module script = scripted_module(*model);
  script.eval();
  double script_diff = max_abs_diff(script.forward({images}).toTensor(), ref.at("features"));
  EXPECT(script_diff <= tolerance, "%s %s: TorchScript features differ by %.3g", family.name.c_str(), variant.c_str(),
         script_diff);
  std::printf("%s %s: %zu tensors loaded, features [%lld, %lld] max abs diff %.3g, TorchScript %.3g\n",
              family.name.c_str(), variant.c_str(), report.loaded.size(), static_cast<long long>(features.size(0)),
              static_cast<long long>(features.size(1)), diff, script_diff);
  if (gradients) {
    at::AutoGradMode grad_mode(true);
    check_gradients(family, variant, ref, state);
  }
}

void check_family(const Family& family) {
  fs::path dir = fs::temp_directory_path() / ("fidelio-" + family.name + "-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string command = "/usr/bin/python3 " + std::string(REFERENCE_SCRIPT) + " " + family.name + " " + dir.string();
  int rc = std::system(command.c_str());
  EXPECT(rc == 0, "%s failed with status %d", command.c_str(), rc);
  for (size_t i = 0; rc == 0 && i < family.variants.size(); ++i) {
    const std::string& variant = family.variants[i];
    try {
      check_variant(family, variant, dir / variant, /*gradients=*/i == 0);
    } catch (const std::exception& e) {
      EXPECT(false, "%s %s: %s", family.name.c_str(), variant.c_str(), e.what());
    }
    fs::remove(dir / (variant + ".bin"));  // the largest are gigabytes
  }
  fs::remove_all(dir);
}

void unknown_variant_is_named(const std::string& family, const std::function<void()>& build, const std::string& valid) {
  try {
    build();
    EXPECT(false, "%s accepted an unknown model_variant", family.c_str());
  } catch (const Failure& e) {
    EXPECT(e.code == FDL_ERR_INVALID_ARGUMENT && std::string(e.what()).find(valid) != std::string::npos,
           "%s: %s", family.c_str(), e.what());
  }
}

void unknown_variants_are_named() {
  unknown_variant_is_named("convnext", [] { make_convnext("huge"); }, "tiny, small, base, large");
  unknown_variant_is_named("vit", [] { make_vit("b_8"); }, "b_16, b_32, l_16, l_32, h_14");
  unknown_variant_is_named("swin_transformer", [] { make_swin_transformer("v2_t"); }, "t, s, b");
  unknown_variant_is_named("googlenet", [] { make_googlenet("v2"); }, "must be base");
  unknown_variant_is_named("inceptionv3", [] { make_inceptionv3("v4"); }, "must be base");
  unknown_variant_is_named("maxvit", [] { make_maxvit("s"); }, "must be t");
}

// torchvision's initialisation, by its statistics: ConvNeXt's trunc_normal_(std=0.02) weights,
// zero biases, layer scale 1e-6; the same seed draws the same weights.
void reset_parameters_like_torchvision() {
  auto a = make_convnext("tiny"), b = make_convnext("tiny");
  a->reset_parameters_like_torchvision(7);
  b->reset_parameters_like_torchvision(7);
  auto pa = a->named_parameters(), pb = b->named_parameters();
  at::Tensor w = pa["features.3.0.block.3.weight"];
  EXPECT(std::abs(w.std().item<double>() - 0.02) < 0.001, "trunc_normal std %.4g", w.std().item<double>());
  EXPECT(pa["features.3.0.block.3.bias"].abs().max().item<double>() == 0.0, "biases are not zero");
  EXPECT(pa["features.3.0.layer_scale"].eq(1e-6f).all().item<bool>(), "layer scale is not 1e-6");
  EXPECT(at::equal(w, pb["features.3.0.block.3.weight"]), "the same seed drew different weights");
}

// Image sizes: those of the reference script (the smallest each architecture takes; ViT's fixes
// its position embedding: two patches a side).
std::vector<Family> families() {
  return {
      {"convnext", {"tiny", "small", "base", "large"},
       [](const std::string& v, bool train) -> std::shared_ptr<ImageEncoderImpl> {
         ConvNeXtOptions o = ConvNeXtOptions::variant(v);
         if (train) o.stochastic_depth_prob = 0.0;
         return std::make_shared<ConvNeXtImpl>(o);
       }},
      {"vit", {"b_16", "b_32", "l_16", "l_32", "h_14"},
       [](const std::string& v, bool) -> std::shared_ptr<ImageEncoderImpl> {
         ViTOptions o = ViTOptions::variant(v);
         o.image_size = 2 * o.patch_size;
         return std::make_shared<VisionTransformerImpl>(o);
       }},
      {"swin_transformer", {"t", "s", "b"},
       [](const std::string& v, bool train) -> std::shared_ptr<ImageEncoderImpl> {
         SwinOptions o = SwinOptions::variant(v);
         if (train) o.stochastic_depth_prob = 0.0;
         return std::make_shared<SwinTransformerImpl>(o);
       }},
      {"maxvit", {"t"},
       [](const std::string& v, bool train) -> std::shared_ptr<ImageEncoderImpl> {
         MaxVitOptions o = MaxVitOptions::variant(v);
         if (train) o.stochastic_depth_prob = 0.0;
         return std::make_shared<MaxVitImpl>(o);
       }},
      {"googlenet", {"base"},
       [](const std::string&, bool train) -> std::shared_ptr<ImageEncoderImpl> {
         GoogLeNetOptions o;
         if (train) o.dropout = 0.0;
         return std::make_shared<GoogLeNetImpl>(o);
       }},
      {"inceptionv3", {"base"},
       [](const std::string&, bool train) -> std::shared_ptr<ImageEncoderImpl> {
         InceptionV3Options o;
         if (train) o.dropout = 0.0;
         return std::make_shared<InceptionV3Impl>(o);
       }},
  };
}

}  // namespace

int main(int argc, char** argv) {
  at::set_num_threads(2);
  unknown_variants_are_named();
  reset_parameters_like_torchvision();
  for (const Family& family : families()) {
    bool selected = argc == 1;
    for (int i = 1; i < argc; ++i) selected = selected || family.name == argv[i];
    if (selected) check_family(family);
  }
  EXPECT_REPORT();
}
