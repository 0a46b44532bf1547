// The C ABI of the BERT encoder (fdl_bert_*): handle lifetime, strict weight loading, frozen or
// trainable mode, reduced forward, and a gradient entry point for parity tests.
#include <ATen/Context.h>

#include <cmath>

#include "abi/api_guard.h"
#include "abi/bert_handle.h"
#include "nn/sequence_reduce.h"
#include "abi/tensor_handle.h"


namespace fdl {

fdl_bert* bert_of(const fdl_bert* handle) {
  check_handle(handle, HandleKind::Bert, "bert");
  return const_cast<fdl_bert*>(handle);
}

namespace {

std::string str(int64_t v) { return std::to_string(v); }

BertActivation activation_of(int32_t code) {
  switch (code) {
    case FDL_BERT_ACT_GELU: return BertActivation::Gelu;
    case FDL_BERT_ACT_GELU_TANH: return BertActivation::GeluTanh;
    case FDL_BERT_ACT_RELU: return BertActivation::Relu;
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "unknown hidden_act " + str(code) +
                                     " (expected FDL_BERT_ACT_GELU, FDL_BERT_ACT_GELU_TANH or FDL_BERT_ACT_RELU)");
}

// The checked options of a config.json.
BertOptions options_of(const fdl_bert_config& c) {
  BertOptions o;
  o.vocab_size = c.vocab_size;
  o.hidden_size = c.hidden_size;
  o.num_hidden_layers = c.num_hidden_layers;
  o.num_attention_heads = c.num_attention_heads;
  o.intermediate_size = c.intermediate_size;
  o.hidden_act = activation_of(c.hidden_act);
  o.max_position_embeddings = c.max_position_embeddings;
  o.type_vocab_size = c.type_vocab_size;
  o.layer_norm_eps = c.layer_norm_eps;
  o.hidden_dropout_prob = c.hidden_dropout_prob;
  o.attention_probs_dropout_prob = c.attention_probs_dropout_prob;
  o.pad_token_id = c.pad_token_id;
  o.initializer_range = c.initializer_range;
  try {
    o.validate();
  } catch (const c10::Error& e) {
    fail(FDL_ERR_INVALID_ARGUMENT, "BERT config: " + e.msg());
  }
  return o;
}

}  // namespace

SequenceReduce reduce_of(int32_t code) {
  switch (code) {
    case FDL_REDUCE_CLS_POOLED: return SequenceReduce::ClsPooled;
    case FDL_REDUCE_SUM: return SequenceReduce::Sum;
    case FDL_REDUCE_MEAN: return SequenceReduce::Mean;
    case FDL_REDUCE_LAST: return SequenceReduce::Last;
    case FDL_REDUCE_NONE: return SequenceReduce::None;
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "unknown reduce_output " + str(code) +
                                     " (expected FDL_REDUCE_CLS_POOLED, SUM, MEAN, LAST or NONE)");
}

namespace {

// Checks that ids lie in [0, limit); what names the tensor and the config field.
void require_ids_below(const at::Tensor& ids, int64_t limit, const std::string& what) {
  int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
  require(lo >= 0 && hi < limit, what + " must lie in [0, " + str(limit) + "), got values from " + str(lo) + " to " +
                                     str(hi));
}

}  // namespace

BertInputs checked_inputs(const fdl_bert& b, const fdl_tensor* input_ids, const fdl_tensor* attention_mask,
                          const fdl_tensor* token_type_ids) {
  const BertOptions& o = b.model->options;
  const at::Tensor& ids = tensor_of(input_ids, "input_ids");
  require(ids.scalar_type() == at::kLong && ids.dim() == 2,
          std::string("input_ids must be int64 [batch, length], got ") + c10::toString(ids.scalar_type()) + " " +
              shape_string(ids.sizes()));
  require(ids.size(0) > 0 && ids.size(1) > 0, "input_ids is empty: " + shape_string(ids.sizes()));
  require(ids.size(1) <= o.max_position_embeddings,
          "sequence length " + str(ids.size(1)) + " exceeds max_position_embeddings " +
              str(o.max_position_embeddings) + "; truncate the input (preprocessing max_sequence_length)");
  require_ids_below(ids, o.vocab_size, "input_ids (vocab_size " + str(o.vocab_size) + ")");

  const at::Tensor& mask = tensor_of(attention_mask, "attention_mask");
  at::ScalarType mt = mask.scalar_type();
  require(mask.sizes() == ids.sizes() && (mt == at::kLong || mt == at::kInt || mt == at::kFloat || mt == at::kDouble),
          std::string("attention_mask must be int64/int32/float32/float64 of input_ids' shape ") +
              shape_string(ids.sizes()) + ", got " + c10::toString(mt) + " " + shape_string(mask.sizes()));
  require(!mask.ne(0).logical_and(mask.ne(1)).any().item<bool>(), "attention_mask must hold only 0 and 1");

  at::Tensor types;
  if (token_type_ids != nullptr) {
    types = tensor_of(token_type_ids, "token_type_ids");
    require(types.scalar_type() == at::kLong && types.sizes() == ids.sizes(),
            std::string("token_type_ids must be int64 of input_ids' shape ") + shape_string(ids.sizes()) + ", got " +
                c10::toString(types.scalar_type()) + " " + shape_string(types.sizes()));
    require_ids_below(types, o.type_vocab_size, "token_type_ids (type_vocab_size " + str(o.type_vocab_size) + ")");
  }
  at::Device device = b.model->embeddings->word_embeddings->weight.device();
  return {ids.to(device), mask.to(device), types.defined() ? types.to(device) : types};
}

at::Tensor reduced_output(fdl_bert& b, const BertInputs& in, int32_t reduce) {
  SequenceReduce mode = reduce_of(reduce);
  TextEncoderOutput out = b.model->forward(in.ids, in.mask, in.types);
  return reduce_sequence(out.last_hidden_state, in.mask, out.pooler_output, mode);
}

}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_bert_new(const fdl_bert_config* config, int32_t dtype, uint64_t seed, fdl_bert** out, char* err,
                     size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(config != nullptr, "config is NULL");
    require_out(out, "out");
    BertOptions o = options_of(*config);
    at::ScalarType type = to_scalar_type(dtype);
    require(type == at::kFloat || type == at::kDouble, "BERT parameters must be FLOAT32 or FLOAT64");
    auto handle = std::make_unique<fdl_bert>(fdl_bert{BertModel(o), true});
    handle->model->to(type);
    handle->model->reset_parameters_like_hf(seed);
    handle->model->train();
    register_handle(handle.get(), HandleKind::Bert, handle->model.ptr().get());
    *out = handle.release();
  });
}

int32_t fdl_bert_free(fdl_bert* bert) { return free_handle(bert, HandleKind::Bert); }

int32_t fdl_bert_set_trainable(fdl_bert* bert, int32_t trainable, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_bert* b = bert_of(bert);
    b->trainable = trainable != 0;
    for (auto& p : b->model->parameters()) {
      p.set_requires_grad(b->trainable);
      if (!b->trainable) p.mutable_grad() = at::Tensor();  // a frozen model holds no gradients
    }
    b->model->train(b->trainable);
  });
}

int32_t fdl_bert_forward_rows(int64_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = BertModelImpl::forward_rows();
  });
}

int32_t fdl_bert_forward(fdl_bert* bert, const fdl_tensor* input_ids, const fdl_tensor* attention_mask,
                         const fdl_tensor* token_type_ids, int32_t reduce, fdl_tensor** out, char* err,
                         size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_bert* b = bert_of(bert);
    require_out(out, "out");
    BertInputs in = checked_inputs(*b, input_ids, attention_mask, token_type_ids);
    c10::NoGradGuard no_grad;
    at::Tensor output;
    in_eval_mode(*b, [&] { output = reduced_output(*b, in, reduce); });
    *out = new_tensor_handle(output.contiguous());
  });
}

}  // extern "C"
