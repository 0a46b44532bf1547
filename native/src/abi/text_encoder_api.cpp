// The C ABI of the pretrained text encoders (fdl_text_encoder_*): config.json's fields to the
// family's module, handle lifetime, frozen or trainable mode, and reduced forward. Weights load
// through fdl_module_load_state (strict, HF's keys).
#include <ATen/Context.h>

#include <algorithm>
#include <string>
#include <vector>

#include "abi/api_guard.h"
#include "abi/tensor_handle.h"
#include "abi/text_encoder_handle.h"
#include "core/module_dtype.h"

namespace fdl {

fdl_text_encoder* text_encoder_of(const fdl_text_encoder* handle) {
  check_handle(handle, HandleKind::TextEncoder, "encoder");
  return const_cast<fdl_text_encoder*>(handle);
}

namespace {

std::string str(int64_t v) { return std::to_string(v); }

std::vector<std::string> split_texts(const std::string& joined) {
  std::vector<std::string> parts;
  for (size_t start = 0, bar; start <= joined.size(); start = bar + 1) {
    bar = std::min(joined.find('|', start), joined.size());
    if (bar > start) parts.push_back(joined.substr(start, bar - start));
  }
  return parts;
}

HfConfig config_of(const fdl_hf_config& c) {
  require(c.n_values >= 0 && (c.values != nullptr || c.n_values == 0), "config values are NULL");
  HfConfig config;
  for (int64_t i = 0; i < c.n_values; ++i) {
    const fdl_config_value& v = c.values[i];
    require(v.key != nullptr, "config value " + str(i) + " has no key");
    bool text = v.kind == FDL_CONFIG_TEXT || v.kind == FDL_CONFIG_TEXTS;
    require(!text || v.text != nullptr, std::string("config.json ") + v.key + ": text is NULL");
    switch (v.kind) {
      case FDL_CONFIG_NUMBER: config.set(v.key, v.number); break;
      case FDL_CONFIG_BOOLEAN: config.set(v.key, v.number != 0); break;
      case FDL_CONFIG_TEXT: config.set(v.key, std::string(v.text)); break;
      case FDL_CONFIG_TEXTS: config.set(v.key, split_texts(v.text)); break;
      default: fail(FDL_ERR_INVALID_ARGUMENT, std::string("config.json ") + v.key + ": unknown kind " + str(v.kind));
    }
  }
  return config;
}

// Checks that ids lie in [0, limit); what names the tensor and the limit.
void require_ids_below(const at::Tensor& ids, int64_t limit, const std::string& what) {
  int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
  require(lo >= 0 && hi < limit, what + " must lie in [0, " + str(limit) + "), got values from " + str(lo) + " to " +
                                     str(hi));
}

}  // namespace

SequenceReduce reduce_of(int32_t code) {
  switch (code) {
    case FDL_REDUCE_CLS_POOLED: return SequenceReduce::ClsPooled;
    case FDL_REDUCE_SUM: return SequenceReduce::Sum;
    case FDL_REDUCE_MEAN: return SequenceReduce::Mean;
    case FDL_REDUCE_LAST: return SequenceReduce::Last;
    case FDL_REDUCE_NONE: return SequenceReduce::None;
    case FDL_REDUCE_MAX: return SequenceReduce::Max;
    case FDL_REDUCE_CONCAT: return SequenceReduce::Concat;
    case FDL_REDUCE_ATTENTION: return SequenceReduce::Attention;
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "unknown reduce_output " + str(code) +
                                     " (expected FDL_REDUCE_CLS_POOLED, SUM, MEAN, LAST, NONE, MAX, CONCAT or ATTENTION)");
}

TextInputs checked_inputs(const fdl_text_encoder& e, const fdl_tensor* input_ids, const fdl_tensor* attention_mask) {
  const at::Tensor& ids = tensor_of(input_ids, "input_ids");
  require(ids.scalar_type() == at::kLong && ids.dim() == 2,
          std::string("input_ids must be int64 [batch, length], got ") + c10::toString(ids.scalar_type()) + " " +
              shape_string(ids.sizes()));
  require(ids.size(0) > 0 && ids.size(1) > 0, "input_ids is empty: " + shape_string(ids.sizes()));
  int64_t longest = e.model->max_sequence_length();
  require(ids.size(1) <= longest, "sequence length " + str(ids.size(1)) + " exceeds the model's max_sequence_length " +
                                      str(longest) + "; truncate the input (preprocessing max_sequence_length)");
  require_ids_below(ids, e.model->vocab_size(), "input_ids (vocab_size " + str(e.model->vocab_size()) + ")");

  const at::Tensor& mask = tensor_of(attention_mask, "attention_mask");
  at::ScalarType mt = mask.scalar_type();
  require(mask.sizes() == ids.sizes() && (mt == at::kLong || mt == at::kInt || mt == at::kFloat || mt == at::kDouble),
          std::string("attention_mask must be int64/int32/float32/float64 of input_ids' shape ") +
              shape_string(ids.sizes()) + ", got " + c10::toString(mt) + " " + shape_string(mask.sizes()));
  require(!mask.ne(0).logical_and(mask.ne(1)).any().item<bool>(), "attention_mask must hold only 0 and 1");
  at::Device device = e.model->parameters().front().device();
  return {ids.to(device), mask.to(device)};
}

at::Tensor reduced_output(fdl_text_encoder& e, const TextInputs& in, int32_t reduce) {
  SequenceReduce mode = reduce_of(reduce);
  require(mode != SequenceReduce::Attention, "reduce_output attention has learned weights, which only a model's text "
                                             "input feature holds (fdl_ecd_new); the encoder alone cannot apply it");
  return encode_and_reduce(*e.model, in.ids, in.mask, mode);
}

}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_text_encoder_new(const fdl_hf_config* config, int32_t dtype, uint64_t seed, fdl_text_encoder** out,
                             char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(config != nullptr, "config is NULL");
    require_out(out, "out");
    at::ScalarType type = to_scalar_type(dtype);
    require(type == at::kFloat || type == at::kDouble, "text encoder parameters must be FLOAT32 or FLOAT64");
    auto handle = std::make_unique<fdl_text_encoder>(fdl_text_encoder{make_text_encoder(config_of(*config)), true});
    cast_floating_values(*handle->model, type);
    handle->model->reset_parameters_like_hf(seed);
    handle->model->train();
    register_handle(handle.get(), HandleKind::TextEncoder, handle->model.get());
    *out = handle.release();
  });
}

int32_t fdl_text_encoder_free(fdl_text_encoder* encoder) { return free_handle(encoder, HandleKind::TextEncoder); }

int32_t fdl_text_encoder_describe(const fdl_text_encoder* encoder, fdl_text_encoder_info* out, char* err,
                                  size_t err_cap) {
  return guarded(err, err_cap, [&] {
    const TextEncoderImpl& m = *text_encoder_of(encoder)->model;
    require_out(out, "out");
    bool pooler = false;  // HF names every pooler "pooler.*" (BERT, RoBERTa, ALBERT)
    for (const auto& p : m.named_parameters()) pooler = pooler || p.key().rfind("pooler.", 0) == 0;
    *out = fdl_text_encoder_info{m.hidden_size(), m.vocab_size(), m.max_sequence_length(), m.pad_token_id(), pooler};
  });
}

int32_t fdl_text_encoder_set_trainable(fdl_text_encoder* encoder, int32_t trainable, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_text_encoder* e = text_encoder_of(encoder);
    e->trainable = trainable != 0;
    for (auto& p : e->model->parameters()) {
      p.set_requires_grad(e->trainable);
      if (!e->trainable) p.mutable_grad() = at::Tensor();  // a frozen model holds no gradients
    }
    e->model->train(e->trainable);
  });
}

int32_t fdl_text_encoder_forward_rows(int64_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = encoded_rows();
  });
}

int32_t fdl_text_encoder_forward(fdl_text_encoder* encoder, const fdl_tensor* input_ids,
                                 const fdl_tensor* attention_mask, int32_t reduce, fdl_tensor** out, char* err,
                                 size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_text_encoder* e = text_encoder_of(encoder);
    require_out(out, "out");
    TextInputs in = checked_inputs(*e, input_ids, attention_mask);
    c10::NoGradGuard no_grad;
    at::Tensor output;
    in_eval_mode(*e, [&] { output = reduced_output(*e, in, reduce); });
    *out = new_tensor_handle(output.contiguous());
  });
}

}  // extern "C"
