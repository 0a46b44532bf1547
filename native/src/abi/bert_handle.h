// The fdl_bert handle: a BERT-family encoder that Java loads weights into and hands to an ECD model.
#pragma once

#include "abi/tensor_handle.h"
#include "nn/bert.h"
#include "nn/sequence_reduce.h"

struct fdl_bert {
  fdl::BertModel model;
  bool trainable;  // frozen: parameters without requires_grad, evaluation mode
};

namespace fdl {

// The live handle (fails naming the argument otherwise).
fdl_bert* bert_of(const fdl_bert* handle);

// The encoder's reduction for an FDL_REDUCE_* code (fails naming the code otherwise).
SequenceReduce reduce_of(int32_t code);

struct BertInputs {
  at::Tensor ids, mask, types;
};

// Validated inputs on the model's device (token_type_ids may be NULL).
BertInputs checked_inputs(const fdl_bert& b, const fdl_tensor* input_ids, const fdl_tensor* attention_mask,
                          const fdl_tensor* token_type_ids);

at::Tensor reduced_output(fdl_bert& b, const BertInputs& in, int32_t reduce);

// Runs body in eval mode (dropout off), then restores the handle's mode.
template <class Body>
void in_eval_mode(fdl_bert& b, Body&& body) {
  b.model->eval();
  try {
    body();
  } catch (...) {
    b.model->train(b.trainable);
    throw;
  }
  b.model->train(b.trainable);
}

}  // namespace fdl
