// The text encoder's test hook (fidelio_testing.h): a loss whose gradients the parity tests compare
// with finite differences and PyTorch's.
#include <c10/core/GradMode.h>

#include "abi/api_guard.h"
#include "abi/text_encoder_handle.h"
#include "fidelio_testing.h"

using namespace fdl;

extern "C" {

int32_t fdl_text_encoder_loss_grad(fdl_text_encoder* encoder, const fdl_tensor* input_ids,
                                   const fdl_tensor* attention_mask, int32_t reduce, const fdl_tensor* weight,
                                   double* loss_out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_text_encoder* e = text_encoder_of(encoder);
    require_out(loss_out, "loss_out");
    TextInputs in = checked_inputs(*e, input_ids, attention_mask);
    const at::Tensor& w = tensor_of(weight, "weight");
    require(w.is_floating_point(), std::string("weight must be floating point, got ") + c10::toString(w.scalar_type()));
    c10::AutoGradMode grad_mode(e->trainable);
    in_eval_mode(*e, [&] {
      e->model->zero_grad(/*set_to_none=*/true);
      at::Tensor output = reduced_output(*e, in, reduce);
      require(w.sizes() == output.sizes(), "weight has shape " + shape_string(w.sizes()) +
                                               ", the reduced output has " + shape_string(output.sizes()));
      at::Tensor loss = (output * w.to(output.options())).sum();
      if (e->trainable) loss.backward();
      *loss_out = loss.item<double>();
    });
  });
}

}  // extern "C"
