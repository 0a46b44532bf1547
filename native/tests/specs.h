// Spec structs for tests and drivers that build ECD models through the C ABI.
#pragma once

#include "fidelio.h"

namespace specs {

inline fdl_fc_layer fc(int64_t size, fdl_activation activation, fdl_norm norm = FDL_NORM_NONE, double dropout = 0,
                       fdl_norm_params params = {128, 0.1, 1e-5}, int32_t use_bias = 1) {
  return fdl_fc_layer{size, activation, dropout, norm, params, use_bias};
}

inline fdl_fc_stack stack(const fdl_fc_layer* layers = nullptr, int32_t n = 0, int32_t residual = 0) {
  return fdl_fc_stack{layers, n, residual};
}

inline fdl_input_spec input(const char* name, fdl_input_type type) {
  fdl_input_spec in{};
  in.name = name;
  in.type = type;
  return in;
}

inline fdl_input_spec text(const char* name, const fdl_text_encoder* bert, fdl_reduce reduce, int32_t trainable) {
  fdl_input_spec in = input(name, FDL_INPUT_TEXT);
  in.encoder = bert;
  in.reduce_output = reduce;
  in.trainable = trainable;
  return in;
}

inline fdl_input_spec image(const char* name, const fdl_image_encoder* encoder, int32_t trainable) {
  fdl_input_spec in = input(name, FDL_INPUT_IMAGE);
  in.encoder = encoder;
  in.trainable = trainable;
  return in;
}

inline fdl_input_spec scalar(const char* name, fdl_fc_stack layers = stack()) {
  fdl_input_spec in = input(name, FDL_INPUT_SCALAR);
  in.encoder_layers = layers;
  return in;
}

inline fdl_input_spec category(const char* name, int64_t vocab, int64_t embedding_size, int32_t trainable,
                               double dropout) {
  fdl_input_spec in = input(name, FDL_INPUT_CATEGORY);
  in.size = vocab;
  in.embedding_size = embedding_size;
  in.trainable = trainable;
  in.dropout = dropout;
  return in;
}

inline fdl_output_spec output(const char* name, fdl_output_type type, fdl_fc_stack decoder = stack()) {
  fdl_output_spec out{};
  out.name = name;
  out.type = type;
  out.positive_class_weight = 1;
  out.number_loss = FDL_NUMBER_LOSS_MSE;
  out.loss_weight = 1;
  out.decoder = decoder;
  out.huber_delta = 1;
  return out;
}

inline fdl_output_spec category_output(const char* name, int64_t num_classes) {
  fdl_output_spec out = output(name, FDL_OUTPUT_CATEGORY);
  out.num_classes = num_classes;
  return out;
}

inline fdl_ecd_spec model(const fdl_input_spec* inputs, int32_t n_inputs, const fdl_output_spec* outputs,
                          int32_t n_outputs, uint64_t seed, fdl_fc_stack combiner = stack()) {
  return fdl_ecd_spec{inputs, n_inputs, fdl_combiner_spec{combiner}, outputs, n_outputs, seed};
}

// AdamW at lr-independent defaults, with clipglobalnorm.
inline fdl_train_spec adamw(double weight_decay, double clip_global_norm) {
  fdl_train_spec spec{};
  spec.optimizer = fdl_optimizer_spec{FDL_OPTIMIZER_ADAMW, 0.9, 0.999, 1e-8, weight_decay, 0, 0, 0, 0};
  spec.clipping = fdl_clipping_spec{clip_global_norm, 0, 0};
  spec.precision = FDL_PRECISION_FLOAT32;
  return spec;
}

// fdl_text_encoder_new for a "bert" config.json with these BertConfig fields.
inline int32_t new_bert(int64_t vocab, int64_t hidden, int64_t layers, int64_t heads, int64_t intermediate,
                        const char* act, int64_t max_positions, int64_t type_vocab, double eps,
                        double hidden_dropout, double attention_dropout, int64_t pad, double init_range,
                        int32_t dtype, uint64_t seed, fdl_text_encoder** out, char* err, size_t err_cap) {
  auto number = [](const char* key, double value) { return fdl_config_value{key, FDL_CONFIG_NUMBER, value, nullptr}; };
  fdl_config_value values[] = {
      {"model_type", FDL_CONFIG_TEXT, 0, "bert"},  {"hidden_act", FDL_CONFIG_TEXT, 0, act},
      number("vocab_size", vocab),                 number("hidden_size", hidden),
      number("num_hidden_layers", layers),         number("num_attention_heads", heads),
      number("intermediate_size", intermediate),   number("max_position_embeddings", max_positions),
      number("type_vocab_size", type_vocab),       number("layer_norm_eps", eps),
      number("hidden_dropout_prob", hidden_dropout), number("attention_probs_dropout_prob", attention_dropout),
      number("pad_token_id", pad),                 number("initializer_range", init_range)};
  fdl_hf_config config{values, static_cast<int64_t>(sizeof values / sizeof values[0])};
  return fdl_text_encoder_new(&config, dtype, seed, out, err, err_cap);
}

}  // namespace specs
