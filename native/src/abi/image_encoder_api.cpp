// The C ABI of the torchvision image encoders (fdl_image_encoder_*): creation by Ludwig's type and
// model_variant with torchvision's initialisation, the feature width, and the features in
// evaluation mode. Weights load through fdl_module_load_state under torchvision's own keys.
#include <c10/core/GradMode.h>

#include "abi/api_guard.h"
#include "abi/handles.h"
#include "abi/image_encoder_handle.h"
#include "abi/tensor_handle.h"
#include "core/module_dtype.h"

using namespace fdl;

extern "C" {

int32_t fdl_image_encoder_new(const char* type, const char* variant, int64_t in_channels, int32_t dtype,
                              uint64_t seed, fdl_image_encoder** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    require(type != nullptr && variant != nullptr, "image encoder type and variant must not be NULL");
    at::ScalarType scalar_type = to_scalar_type(dtype);
    require(scalar_type == at::kFloat || scalar_type == at::kDouble, "image encoder parameters must be FLOAT32 or FLOAT64");
    auto handle = std::make_unique<fdl_image_encoder>(fdl_image_encoder{make_image_encoder(type, variant, in_channels)});
    cast_floating_values(*handle->model, scalar_type);
    handle->model->reset_parameters_like_torchvision(seed);
    register_handle(handle.get(), HandleKind::ImageEncoder, handle->model.get());
    *out = handle.release();
  });
}

int32_t fdl_image_encoder_free(fdl_image_encoder* encoder) { return free_handle(encoder, HandleKind::ImageEncoder); }

int32_t fdl_image_encoder_feature_size(const fdl_image_encoder* encoder, int64_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = checked(encoder, HandleKind::ImageEncoder, "encoder")->model->feature_size();
  });
}

int32_t fdl_image_encoder_forward(fdl_image_encoder* encoder, const fdl_tensor* images, fdl_tensor** out, char* err,
                                  size_t err_cap) {
  return guarded(err, err_cap, [&] {
    ImageEncoderImpl& model = *checked(encoder, HandleKind::ImageEncoder, "encoder")->model;
    require_out(out, "out");
    const at::Tensor& x = tensor_of(images, "images");
    require_images(x, model);
    c10::NoGradGuard no_grad;
    bool was_training = model.is_training();
    model.eval();
    at::Tensor features;
    try {
      features = model.forward(x.to(model.parameters().front().options()));
    } catch (...) {
      model.train(was_training);
      throw;
    }
    model.train(was_training);
    *out = new_tensor_handle(features.contiguous());
  });
}

}  // extern "C"
