// The image encoders' test hook (fidelio_testing.h): a train-mode loss whose gradients the parity
// harness compares with torchvision's. Dropout is off so both sides compute the same function; batch
// norm uses batch statistics, as training does.
#include <c10/core/GradMode.h>
#include <torch/nn/modules/dropout.h>

#include "abi/api_guard.h"
#include "abi/handles.h"
#include "abi/image_encoder_handle.h"
#include "abi/tensor_handle.h"
#include "core/tensor_checks.h"
#include "fidelio_testing.h"

using namespace fdl;

extern "C" {

int32_t fdl_image_encoder_loss_grad(fdl_image_encoder* encoder, const fdl_tensor* images, const fdl_tensor* weight,
                                    double* loss_out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    ImageEncoderImpl& model = *checked(encoder, HandleKind::ImageEncoder, "encoder")->model;
    require_out(loss_out, "loss_out");
    const at::Tensor& x = tensor_of(images, "images");
    require_images(x, model);
    const at::Tensor& w = tensor_of(weight, "weight");
    bool was_training = model.is_training();
    model.train();
    for (auto& m : model.modules(/*include_self=*/false)) {
      if (m->as<torch::nn::Dropout>()) m->eval();
    }
    c10::AutoGradMode grad_mode(true);
    model.zero_grad(/*set_to_none=*/true);
    at::Tensor features = model.forward(x.to(model.parameters().front().options()));
    require(w.sizes() == features.sizes(), "weight has shape " + shape_string(w.sizes()) + ", the features have " +
                                               shape_string(features.sizes()));
    at::Tensor loss = (features * w.to(features.options())).sum();
    loss.backward();
    model.train(was_training);
    *loss_out = loss.item<double>();
  });
}

}  // extern "C"
