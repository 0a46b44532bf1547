// The BERT encoder's test hook (fidelio_testing.h): a loss whose gradients the parity tests compare
// with finite differences and PyTorch's.
#include <c10/core/GradMode.h>

#include "abi/api_guard.h"
#include "abi/bert_handle.h"
#include "fidelio_testing.h"

using namespace fdl;

extern "C" {

int32_t fdl_bert_loss_grad(fdl_bert* bert, const fdl_tensor* input_ids, const fdl_tensor* attention_mask,
                           const fdl_tensor* token_type_ids, int32_t reduce, const fdl_tensor* weight,
                           double* loss_out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_bert* b = bert_of(bert);
    require_out(loss_out, "loss_out");
    BertInputs in = checked_inputs(*b, input_ids, attention_mask, token_type_ids);
    const at::Tensor& w = tensor_of(weight, "weight");
    require(w.is_floating_point(), std::string("weight must be floating point, got ") + c10::toString(w.scalar_type()));
    c10::AutoGradMode grad_mode(b->trainable);
    in_eval_mode(*b, [&] {
      b->model->zero_grad(/*set_to_none=*/true);
      at::Tensor output = reduced_output(*b, in, reduce);
      require(w.sizes() == output.sizes(), "weight has shape " + shape_string(w.sizes()) +
                                               ", the reduced output has " + shape_string(output.sizes()));
      at::Tensor loss = (output * w.to(output.options())).sum();
      if (b->trainable) loss.backward();
      *loss_out = loss.item<double>();
    });
  });
}

}  // extern "C"
