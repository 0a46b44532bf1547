#include "nn/roberta.h"

#include "nn/bert.h"

namespace fdl {

namespace {

std::shared_ptr<TextEncoderImpl> roberta_with_vocabulary(const HfConfig& config, int64_t default_vocab_size) {
  BertOptions defaults;  // RobertaConfig: BertConfig's values except these
  defaults.vocab_size = default_vocab_size;
  defaults.pad_token_id = 1;
  defaults.position_ids = PositionIds::AfterPadding;
  return std::make_shared<BertModelImpl>(read_bert_options(config, defaults));
}

}  // namespace

std::shared_ptr<TextEncoderImpl> make_roberta(const HfConfig& config) { return roberta_with_vocabulary(config, 50265); }

std::shared_ptr<TextEncoderImpl> make_xlm_roberta(const HfConfig& config) {
  return roberta_with_vocabulary(config, 30522);
}

}  // namespace fdl
