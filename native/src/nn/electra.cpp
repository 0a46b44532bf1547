#include "nn/electra.h"

#include "nn/bert.h"

namespace fdl {

std::shared_ptr<TextEncoderImpl> make_electra(const HfConfig& config) {
  BertOptions defaults;  // ElectraConfig's defaults (google/electra-small-discriminator's shape)
  defaults.embedding_size = 128;
  defaults.hidden_size = 256;
  defaults.num_attention_heads = 4;
  defaults.intermediate_size = 1024;
  defaults.add_pooling_layer = false;
  return std::make_shared<BertModelImpl>(read_bert_options(config, defaults));
}

}  // namespace fdl
