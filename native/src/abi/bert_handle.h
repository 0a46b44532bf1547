// The fdl_bert handle: a BERT-family encoder that Java loads weights into and hands to an ECD model.
#pragma once

#include "nn/bert.h"

struct fdl_bert {
  fdl::BertModel model;
  bool trainable;  // frozen: parameters without requires_grad, evaluation mode
};
