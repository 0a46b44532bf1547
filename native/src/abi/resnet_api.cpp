// The C ABI of the ResNet image encoder (fdl_resnet_*): creation with torchvision's
// initialisation, and the pooled features in evaluation mode. Weights load through
// fdl_module_load_state under torchvision's own keys.
#include <c10/core/GradMode.h>

#include "abi/api_guard.h"
#include "abi/resnet_handle.h"
#include "abi/tensor_handle.h"

namespace fdl {
namespace {

fdl_resnet* resnet_of(const fdl_resnet* handle) {
  check_handle(handle, HandleKind::ResNet, "resnet");
  return const_cast<fdl_resnet*>(handle);
}

}  // namespace

// Shared with the ECD's image input: images must be float [B, C, H, W] with the model's channels.
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_resnet_new(int32_t variant, int64_t in_channels, int32_t dtype, uint64_t seed, fdl_resnet** out,
                       char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    ResNetOptions o;
    o.variant = variant;
    o.in_channels = in_channels;
    try {
      o.validate();
    } catch (const c10::Error& e) {
      fail(FDL_ERR_INVALID_ARGUMENT, e.msg());
    }
    at::ScalarType type = to_scalar_type(dtype);
    require(type == at::kFloat || type == at::kDouble, "ResNet parameters must be FLOAT32 or FLOAT64");
    auto handle = std::make_unique<fdl_resnet>(fdl_resnet{ResNet(o)});
    handle->model->to(type);
    handle->model->reset_parameters_like_torchvision(seed);
    register_handle(handle.get(), HandleKind::ResNet, handle->model.ptr().get());
    *out = handle.release();
  });
}

int32_t fdl_resnet_free(fdl_resnet* resnet) { return free_handle(resnet, HandleKind::ResNet); }

int32_t fdl_resnet_forward(fdl_resnet* resnet, const fdl_tensor* images, fdl_tensor** out, char* err,
                           size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_resnet* r = resnet_of(resnet);
    require_out(out, "out");
    const at::Tensor& x = tensor_of(images, "images");
    require_images(x, r->model->options);
    c10::NoGradGuard no_grad;
    bool was_training = r->model->is_training();
    r->model->eval();
    at::Tensor features;
    try {
      features = r->model->forward(x.to(r->model->conv1->weight.options()));
    } catch (...) {
      r->model->train(was_training);
      throw;
    }
    r->model->train(was_training);
    *out = new_tensor_handle(features.contiguous());
  });
}

}  // extern "C"
