// C ABI of the BERT encoder: create from a config, load weights (fdl_module_load_state), run it.
#include <c10/core/GradMode.h>

#include "api_guard.h"
#include "bert_handle.h"
#include "sequence_reduce.h"
#include "tensor_handle.h"

namespace fdl {
namespace {

fdl_bert* bert_of(const fdl_bert* handle) {
  check_handle(handle, HandleKind::Bert, "bert");
  return const_cast<fdl_bert*>(handle);
}

BertActivation activation_of(int32_t code) {
  switch (code) {
    case FDL_BERT_ACT_GELU: return BertActivation::Gelu;
    case FDL_BERT_ACT_GELU_TANH: return BertActivation::GeluTanh;
    case FDL_BERT_ACT_RELU: return BertActivation::Relu;
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "unknown BERT activation code " + std::to_string(code));
}

// input_ids/attention_mask/token_type_ids validated against the model's sizes.
void check_tokens(const BertOptions& o, const at::Tensor& ids, const at::Tensor& mask, const at::Tensor& types) {
  require(ids.dim() == 2 && ids.scalar_type() == at::kLong,
          "input_ids must be int64 [batch, length], got " + std::string(c10::toString(ids.scalar_type())) + " " +
              shape_string(ids.sizes()));
  require(mask.sizes() == ids.sizes(), "attention_mask " + shape_string(mask.sizes()) +
                                           " must have the shape of input_ids " + shape_string(ids.sizes()));
  require(!types.defined() || types.sizes() == ids.sizes(), "token_type_ids must have the shape of input_ids");
  require(ids.size(1) <= o.max_position_embeddings, "sequence length " + std::to_string(ids.size(1)) +
                                                        " exceeds max_position_embeddings " +
                                                        std::to_string(o.max_position_embeddings));
  if (ids.numel() > 0) {
    int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
    require(lo >= 0 && hi < o.vocab_size, "token ids must lie in [0, " + std::to_string(o.vocab_size) + "), got " +
                                              std::to_string(lo) + ".." + std::to_string(hi));
  }
}

at::Tensor encode(fdl_bert* b, const fdl_tensor* input_ids, const fdl_tensor* attention_mask,
                  const fdl_tensor* token_type_ids, int32_t reduce) {
  require(reduce >= FDL_REDUCE_CLS_POOLED && reduce <= FDL_REDUCE_NONE, "unknown reduce_output code " +
                                                                          std::to_string(reduce));
  const at::Tensor& ids = tensor_of(input_ids, "input_ids");
  const at::Tensor& mask = tensor_of(attention_mask, "attention_mask");
  at::Tensor types = token_type_ids == nullptr ? at::Tensor() : tensor_of(token_type_ids, "token_type_ids");
  check_tokens(b->model->options, ids, mask, types);
  BertModelOutput out = b->model->forward(ids, mask, types);
  return reduce_sequence(out.last_hidden_state, mask, out.pooler_output, static_cast<SequenceReduce>(reduce));
}

}  // namespace
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_bert_new(int64_t vocab_size, int64_t hidden_size, int64_t num_hidden_layers, int64_t num_attention_heads,
                     int64_t intermediate_size, int32_t hidden_act, int64_t max_position_embeddings,
                     int64_t type_vocab_size, double layer_norm_eps, double hidden_dropout_prob,
                     double attention_probs_dropout_prob, int64_t pad_token_id, uint64_t seed, fdl_bert** out,
                     char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    BertOptions o;
    o.vocab_size = vocab_size;
    o.hidden_size = hidden_size;
    o.num_hidden_layers = num_hidden_layers;
    o.num_attention_heads = num_attention_heads;
    o.intermediate_size = intermediate_size;
    o.hidden_act = activation_of(hidden_act);
    o.max_position_embeddings = max_position_embeddings;
    o.type_vocab_size = type_vocab_size;
    o.layer_norm_eps = layer_norm_eps;
    o.hidden_dropout_prob = hidden_dropout_prob;
    o.attention_probs_dropout_prob = attention_probs_dropout_prob;
    o.pad_token_id = pad_token_id;
    auto handle = std::make_unique<fdl_bert>(fdl_bert{BertModel(o)});
    handle->model->reset_parameters_like_hf(seed);
    register_handle(handle.get(), HandleKind::Bert, handle->model.ptr().get());
    *out = handle.release();
  });
}

int32_t fdl_bert_free(fdl_bert* bert) {
  try {
    if (!unregister_handle(bert, HandleKind::Bert)) return FDL_ERR_INVALID_HANDLE;
    delete bert;
    return FDL_OK;
  } catch (...) {
    return FDL_ERR_INTERNAL;
  }
}

int32_t fdl_bert_forward(fdl_bert* bert, const fdl_tensor* input_ids, const fdl_tensor* attention_mask,
                         const fdl_tensor* token_type_ids, int32_t reduce, fdl_tensor** out, char* err,
                         size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    fdl_bert* b = bert_of(bert);
    c10::NoGradGuard no_grad;
    bool training = b->model->is_training();
    b->model->eval();
    at::Tensor result = encode(b, input_ids, attention_mask, token_type_ids, reduce);
    b->model->train(training);
    *out = new_tensor_handle(result);
  });
}

int32_t fdl_bert_weighted_sum_backward(fdl_bert* bert, const fdl_tensor* input_ids, const fdl_tensor* attention_mask,
                                       int32_t reduce, const fdl_tensor* weight, double* loss_out, char* err,
                                       size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(loss_out, "loss_out");
    fdl_bert* b = bert_of(bert);
    bool training = b->model->is_training();
    b->model->eval();  // deterministic: dropout off, autograd on
    b->model->zero_grad();
    at::Tensor output = encode(b, input_ids, attention_mask, nullptr, reduce);
    const at::Tensor& w = tensor_of(weight, "weight");
    require(w.sizes() == output.sizes(), "weight has shape " + shape_string(w.sizes()) + ", the output has " +
                                             shape_string(output.sizes()));
    at::Tensor loss = (output * w.to(output.scalar_type())).sum();
    loss.backward();
    b->model->train(training);
    *loss_out = loss.item<double>();
  });
}

}  // extern "C"
