// ELECTRA's discriminator/generator body (model_type "electra", HF's ElectraModel): BERT's
// embeddings at embedding_size, the "embeddings_project" Linear up to hidden_size when the two
// differ, BERT's encoder, and no pooler (modeling_electra.py, configuration_electra.py).
#pragma once

#include <memory>

#include "nn/hf_config.h"
#include "nn/text_encoder.h"

namespace fdl {

std::shared_ptr<TextEncoderImpl> make_electra(const HfConfig& config);

}  // namespace fdl
