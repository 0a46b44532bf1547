// The fdl_text_encoder handle: a pretrained text encoder of any family (nn/text_encoder.h) that Java
// loads weights into and hands to an ECD model.
#pragma once

#include <memory>

#include "abi/tensor_handle.h"
#include "nn/sequence_reduce.h"
#include "nn/text_encoder.h"

struct fdl_text_encoder {
  std::shared_ptr<fdl::TextEncoderImpl> model;
  bool trainable;  // frozen: parameters without requires_grad, evaluation mode
};

namespace fdl {

// The live handle (fails naming the argument otherwise).
fdl_text_encoder* text_encoder_of(const fdl_text_encoder* handle);

// The encoder's reduction for an FDL_REDUCE_* code (fails naming the code otherwise).
SequenceReduce reduce_of(int32_t code);

struct TextInputs {
  at::Tensor ids, mask;
};

// Validated inputs on the model's device.
TextInputs checked_inputs(const fdl_text_encoder& e, const fdl_tensor* input_ids, const fdl_tensor* attention_mask);

// The reduced output (families without a pooler pool the first token, as the ECD's TextInput does).
at::Tensor reduced_output(fdl_text_encoder& e, const TextInputs& in, int32_t reduce);

// Runs body in eval mode (dropout off), then restores the handle's mode.
template <class Body>
void in_eval_mode(fdl_text_encoder& e, Body&& body) {
  e.model->eval();
  try {
    body();
  } catch (...) {
    e.model->train(e.trainable);
    throw;
  }
  e.model->train(e.trainable);
}

}  // namespace fdl
