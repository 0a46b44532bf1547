// The image encoder C ABI as Java uses it: type and variant validation, torchvision's key names and
// Ludwig's cuts per family, feature shapes, and an image input in the ECD model, frozen (eval-mode
// batch norm, no gradients, statistics untouched) or trainable (statistics updated, gradients flow).
// Numerical parity with torchvision is checked in Java (ImageEncoderParityTest), against checkpoints
// written by torchvision itself.
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "specs.h"
#include "fidelio.h"

namespace {

char err[4096];

bool has(const char* text, const char* part) { return std::strstr(text, part) != nullptr; }

fdl_tensor* floats(std::vector<int64_t> shape, float value) {
  size_t n = 1;
  for (int64_t s : shape) n *= s;
  std::vector<float> data(n);
  for (size_t i = 0; i < n; ++i) data[i] = value * static_cast<float>(i % 7) - 0.3f;
  fdl_tensor* t = nullptr;
  EXPECT(fdl_tensor_new(FDL_DTYPE_FLOAT32, shape.data(), (int32_t)shape.size(), data.data(), n * 4, &t, err,
                        sizeof err) == FDL_OK, "%s", err);
  return t;
}

std::vector<int64_t> shape_of(const fdl_tensor* t) {
  int32_t ndim = 0;
  int64_t shape[FDL_MAX_DIMS];
  fdl_tensor_ndim(t, &ndim, err, sizeof err);
  fdl_tensor_shape(t, shape, FDL_MAX_DIMS, err, sizeof err);
  return std::vector<int64_t>(shape, shape + ndim);
}

int32_t state_index(const void* module, const std::string& name) {
  int32_t count = 0;
  fdl_module_state_count(module, &count, err, sizeof err);
  char buf[512];
  for (int32_t i = 0; i < count; ++i) {
    fdl_module_state_name(module, i, buf, sizeof buf, err, sizeof err);
    if (name == buf) return i;
  }
  return -1;
}

float first_value(const void* module, const std::string& name) {
  fdl_tensor* t = nullptr;
  EXPECT(fdl_module_state_get(module, state_index(module, name), &t, err, sizeof err) == FDL_OK, "%s", err);
  fdl_tensor* f = nullptr;
  fdl_tensor_to(t, FDL_DTYPE_FLOAT32, FDL_DEVICE_CPU, 0, &f, err, sizeof err);
  std::vector<float> v(1);
  int64_t n = 1;
  for (int64_t s : shape_of(f)) n *= s;
  v.resize(n);
  fdl_tensor_copy_to_host(f, v.data(), n * 4, err, sizeof err);
  fdl_tensor_free(t);
  fdl_tensor_free(f);
  return v[0];
}

void types_and_variants_are_validated() {
  fdl_image_encoder* e = nullptr;
  EXPECT(fdl_image_encoder_new("lenet", "5", 3, FDL_DTYPE_FLOAT32, 1, &e, err, sizeof err) ==
             FDL_ERR_INVALID_ARGUMENT && has(err, "'lenet'") && has(err, "resnet") && has(err, "squeezenet"),
         "unknown type: %s", err);
  EXPECT(fdl_image_encoder_new("vgg", "16bn", 3, FDL_DTYPE_FLOAT32, 1, &e, err, sizeof err) ==
             FDL_ERR_INVALID_ARGUMENT && has(err, "11, 11_bn, 13, 13_bn, 16, 16_bn, 19, 19_bn") && has(err, "'16bn'"),
         "unknown variant: %s", err);
  EXPECT(fdl_image_encoder_new("vgg", "11", 1, FDL_DTYPE_FLOAT32, 1, &e, err, sizeof err) ==
             FDL_ERR_INVALID_ARGUMENT && has(err, "only resnet"), "channels: %s", err);
  EXPECT(fdl_image_encoder_new("resnet", "18", 5, FDL_DTYPE_FLOAT32, 1, &e, err, sizeof err) ==
             FDL_ERR_INVALID_ARGUMENT && has(err, "[1, 4]"), "channels: %s", err);
}

// Each family's keys are torchvision's, minus the layer Ludwig 0.10 replaces by Identity; the
// features have the width of that layer's input. 64x64 images: the smallest AlexNet takes is 63.
void families_are_cut_where_ludwig_cuts_them() {
  struct Case {
    const char *type, *variant;
    int64_t width;
    std::vector<const char*> keys, absent;
  };
  std::vector<Case> cases = {
      {"resnext", "50_32x4d", 2048, {"layer1.0.conv2.weight", "layer4.2.bn3.running_var"}, {"fc.weight"}},
      {"wide_resnet", "50_2", 2048, {"layer1.0.conv2.weight", "layer3.5.conv3.weight"}, {"fc.bias"}},
      {"vgg", "11_bn", 4096, {"features.0.weight", "features.1.running_mean", "features.25.weight",
                              "classifier.0.weight", "classifier.3.bias"}, {"classifier.6.weight"}},
      {"alexnet", "base", 4096, {"features.0.weight", "features.10.bias", "classifier.1.weight",
                                 "classifier.4.weight"}, {"classifier.6.weight"}},
      {"squeezenet", "1_1", 1000, {"features.0.weight", "features.3.squeeze.weight", "features.12.expand3x3.bias",
                                   "classifier.1.weight"}, {"classifier.0.weight"}},
  };
  fdl_tensor* rgb = floats({2, 3, 64, 64}, 0.1f);
  for (const Case& c : cases) {
    fdl_image_encoder* e = nullptr;
    EXPECT(fdl_image_encoder_new(c.type, c.variant, 3, FDL_DTYPE_FLOAT32, 1, &e, err, sizeof err) == FDL_OK, "%s",
           err);
    int64_t width = 0;
    EXPECT(fdl_image_encoder_feature_size(e, &width, err, sizeof err) == FDL_OK && width == c.width,
           "%s %s feature size %lld", c.type, c.variant, (long long)width);
    for (const char* key : c.keys) EXPECT(state_index(e, key) >= 0, "%s %s has %s", c.type, c.variant, key);
    for (const char* key : c.absent) EXPECT(state_index(e, key) < 0, "%s %s lacks %s", c.type, c.variant, key);
    fdl_tensor* out = nullptr;
    EXPECT(fdl_image_encoder_forward(e, rgb, &out, err, sizeof err) == FDL_OK, "%s", err);
    EXPECT(shape_of(out) == (std::vector<int64_t>{2, c.width}), "%s features are [B, %lld]", c.type,
           (long long)c.width);
    fdl_tensor_free(out);
    fdl_image_encoder_free(e);
  }
  fdl_tensor_free(rgb);
}

void resnet_inputs_are_validated() {
  fdl_image_encoder* r = nullptr;
  EXPECT(fdl_image_encoder_new("resnet", "18", 3, FDL_DTYPE_FLOAT32, 1, &r, err, sizeof err) == FDL_OK, "%s", err);
  fdl_tensor* gray = floats({2, 1, 32, 32}, 0.1f);
  fdl_tensor* out = nullptr;
  EXPECT(fdl_image_encoder_forward(r, gray, &out, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT && has(err, "1 channels"),
         "channels: %s", err);
  fdl_tensor* rgb = floats({2, 3, 32, 32}, 0.1f);
  EXPECT(fdl_image_encoder_forward(r, rgb, &out, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(shape_of(out) == (std::vector<int64_t>{2, 512}), "resnet18 features are [B, 512]");
  for (const char* key : {"conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight",
                          "layer2.0.downsample.1.num_batches_tracked", "layer4.1.bn2.bias"}) {
    EXPECT(state_index(r, key) >= 0, "torchvision key %s", key);
  }
  EXPECT(state_index(r, "fc.weight") < 0, "no fc head");
  fdl_tensor_free(out);
  fdl_image_encoder_free(r);

  EXPECT(fdl_image_encoder_new("resnet", "50", 1, FDL_DTYPE_FLOAT32, 1, &r, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(fdl_image_encoder_forward(r, gray, &out, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(shape_of(out) == (std::vector<int64_t>{2, 2048}), "resnet50 features are [B, 2048]");
  EXPECT(state_index(r, "layer3.5.conv3.weight") >= 0 && state_index(r, "layer3.6.conv1.weight") < 0,
         "resnet50 has 6 blocks in layer3");
  fdl_tensor_free(out);
  fdl_image_encoder_free(r);
  fdl_tensor_free(gray);
  fdl_tensor_free(rgb);
}

// One train step of an ECD with one image input and a category output; returns the model.
fdl_ecd* trained_image_model(int32_t trainable) {
  fdl_image_encoder* r = nullptr;
  fdl_image_encoder_new("resnet", "18", 1, FDL_DTYPE_FLOAT32, 3, &r, err, sizeof err);
  fdl_input_spec in = specs::image("image", r, trainable);
  fdl_output_spec out = specs::category_output("label", 3);
  fdl_ecd_spec spec = specs::model(&in, 1, &out, 1, 5);
  fdl_ecd* ecd = nullptr;
  EXPECT(fdl_ecd_new(&spec, &ecd, err, sizeof err) == FDL_OK, "%s", err);
  fdl_image_encoder_free(r);  // the model keeps the encoder alive
  fdl_tensor* images = floats({4, 1, 16, 16}, 0.5f);
  int64_t labels[] = {0, 1, 2, 1}, label_shape[] = {4};
  fdl_tensor* y = nullptr;
  fdl_tensor_new(FDL_DTYPE_INT64, label_shape, 1, labels, sizeof labels, &y, err, sizeof err);
  double loss = 0;
  EXPECT(fdl_ecd_train_step(ecd, &images, 1, &y, 1, 1.0, 1, 1, 1e-3, &loss, err, sizeof err) == FDL_OK, "%s", err);
  fdl_tensor_free(images);
  fdl_tensor_free(y);
  return ecd;
}

void frozen_encoder_keeps_its_statistics() {
  const std::string prefix = "input_features.image.encoder.";
  fdl_ecd* frozen = trained_image_model(0);
  EXPECT(first_value(frozen, prefix + "bn1.running_var") == 1.0f, "frozen: running_var stays at 1");
  EXPECT(first_value(frozen, prefix + "bn1.num_batches_tracked") == 0.0f, "frozen: no batches tracked");
  int32_t has_grad = 1;
  fdl_module_state_has_gradient(frozen, state_index(frozen, prefix + "conv1.weight"), &has_grad, err, sizeof err);
  EXPECT(has_grad == 0, "frozen: no gradient for conv1");
  fdl_ecd_free(frozen);

  fdl_ecd* trainable = trained_image_model(1);
  EXPECT(first_value(trainable, prefix + "bn1.num_batches_tracked") == 1.0f, "trainable: one batch tracked");
  EXPECT(first_value(trainable, prefix + "bn1.running_var") != 1.0f, "trainable: running_var updated");
  fdl_module_state_has_gradient(trainable, state_index(trainable, prefix + "conv1.weight"), &has_grad, err, sizeof err);
  EXPECT(has_grad == 1, "trainable: conv1 has a gradient");
  fdl_ecd_free(trainable);
}

void cached_embeddings_equal_the_encoder() {
  fdl_ecd* ecd = trained_image_model(0);
  fdl_tensor* images = floats({2, 1, 16, 16}, 0.2f);
  fdl_tensor* embedding = nullptr;
  EXPECT(fdl_ecd_embed(ecd, 0, &images, 1, &embedding, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(shape_of(embedding) == (std::vector<int64_t>{2, 512}), "embedding [B, 512]");
  fdl_tensor* raw_pred = nullptr;
  fdl_tensor* cached_pred = nullptr;
  EXPECT(fdl_ecd_evaluate(ecd, &images, 1, nullptr, 0, nullptr, &raw_pred, 1, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(fdl_ecd_set_cached_embeddings(ecd, 0, 1, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(fdl_ecd_evaluate(ecd, &embedding, 1, nullptr, 0, nullptr, &cached_pred, 1, err, sizeof err) == FDL_OK, "%s",
         err);
  std::vector<float> a(6), b(6);
  fdl_tensor_copy_to_host(raw_pred, a.data(), 24, err, sizeof err);
  fdl_tensor_copy_to_host(cached_pred, b.data(), 24, err, sizeof err);
  EXPECT(a == b, "predictions from cached embeddings equal those from raw images");
  for (fdl_tensor* t : {images, embedding, raw_pred, cached_pred}) fdl_tensor_free(t);
  fdl_ecd_free(ecd);
}

}  // namespace

int main() {
  types_and_variants_are_validated();
  families_are_cut_where_ludwig_cuts_them();
  resnet_inputs_are_validated();
  frozen_encoder_keeps_its_statistics();
  cached_embeddings_equal_the_encoder();
  EXPECT_REPORT();
}
