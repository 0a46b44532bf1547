// make_text_encoder: config.json's model_type to its family's module.
#include <algorithm>
#include <atomic>
#include <utility>

#include "core/failure.h"
#include "nn/albert.h"
#include "nn/bert.h"
#include "nn/deberta_v2.h"
#include "nn/distilbert.h"
#include "nn/electra.h"
#include "nn/modernbert.h"
#include "nn/mpnet.h"
#include "nn/roberta.h"
#include "nn/text_encoder.h"

namespace fdl {
namespace {

using Factory = std::shared_ptr<TextEncoderImpl> (*)(const HfConfig&);

std::atomic<int64_t> encoded_row_count{0};

const std::vector<std::pair<std::string, Factory>>& families() {
  static const std::vector<std::pair<std::string, Factory>> table = {
      {"albert", make_albert},
      {"bert", make_bert},
      {"camembert", make_xlm_roberta},
      {"deberta-v2", make_deberta_v2},
      {"distilbert", make_distilbert},
      {"electra", make_electra},
      {"modernbert", make_modernbert},
      {"mpnet", make_mpnet},
      {"roberta", make_roberta},
      {"xlm-roberta", make_xlm_roberta},
  };
  return table;
}

}  // namespace

std::vector<std::string> supported_text_model_types() {
  std::vector<std::string> types;
  for (const auto& family : families()) types.push_back(family.first);
  std::sort(types.begin(), types.end());
  return types;
}

std::shared_ptr<TextEncoderImpl> make_text_encoder(const HfConfig& config) {
  std::string type = config.model_type();
  for (const auto& family : families()) {
    if (family.first == type) return family.second(config);
  }
  std::string supported;
  for (const auto& t : supported_text_model_types()) supported += (supported.empty() ? "" : ", ") + t;
  fail(FDL_ERR_UNSUPPORTED, "config.json model_type \"" + type + "\" is not a supported text encoder family (supported: " +
                                supported + ")");
}

at::Tensor encode_and_reduce(TextEncoderImpl& encoder, const at::Tensor& input_ids, const at::Tensor& attention_mask,
                             SequenceReduce mode) {
  encoded_row_count.fetch_add(input_ids.size(0), std::memory_order_relaxed);
  TextEncoderOutput out = encoder.encode(input_ids, attention_mask);
  at::Tensor pooled = out.pooler_output.defined() ? out.pooler_output : out.last_hidden_state.select(1, 0);
  return reduce_sequence(out.last_hidden_state, attention_mask, pooled, mode);
}

int64_t encoded_rows() { return encoded_row_count.load(std::memory_order_relaxed); }

}  // namespace fdl
