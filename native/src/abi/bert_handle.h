// The fdl_bert handle: a BERT-family encoder that Java loads weights into and hands to an ECD model.
#pragma once

#include "nn/bert.h"
#include "nn/sequence_reduce.h"

struct fdl_bert {
  fdl::BertModel model;
  bool trainable;  // frozen: parameters without requires_grad, evaluation mode
};

namespace fdl {
// The encoder's reduction for an FDL_REDUCE_* code (fails naming the code otherwise).
SequenceReduce reduce_of(int32_t code);
}  // namespace fdl
