// RoBERTa (model_type "roberta", and "xlm-roberta" and "camembert", which HF builds from the same
// code): BERT's modules and keys with positions numbered after the padding id and HF's
// RobertaConfig defaults (modeling_roberta.py, configuration_roberta.py).
#pragma once

#include <memory>

#include "nn/hf_config.h"
#include "nn/text_encoder.h"

namespace fdl {

std::shared_ptr<TextEncoderImpl> make_roberta(const HfConfig& config);
// "xlm-roberta" and "camembert": the same model; their config classes default vocab_size to 30522.
std::shared_ptr<TextEncoderImpl> make_xlm_roberta(const HfConfig& config);

}  // namespace fdl
