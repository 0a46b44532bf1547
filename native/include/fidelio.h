/*
 * fidelio.h: the only surface of the native library that Java sees.
 *
 * Conventions (bindings/generator parses this file, keep to them):
 *  - Every function is declared on lines starting with FDL_API and ends with ");".
 *  - Parameter and struct field types are int32_t, int64_t, uint64_t, size_t, float, double, the
 *    header's enums (int-sized), its structs (fields only) or pointers; a pointer field with a count
 *    is followed by "int32_t n_<field>".
 *  - Enums and structs are declared "typedef enum|struct fdl_x { ... } fdl_x;", one member per line.
 *  - Objects are opaque handles with fdl_<object>_new / fdl_<object>_free pairs.
 *  - Functions that can fail return an FDL_* status and write a NUL-terminated message into
 *    the caller's (err, err_cap) buffer. No C++ exception ever leaves the library.
 *  - A _free takes only its handle (so it can serve as an Arena cleanup) and returns
 *    FDL_ERR_INVALID_HANDLE for a handle that is not live: freed, foreign or of another kind.
 */
#ifndef FIDELIO_H
#define FIDELIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FDL_API __attribute__((visibility("default")))

/* Bumped on every change of this header; Java refuses a library of another ABI version. */
#define FDL_ABI_VERSION 19

/* Status codes. */
#define FDL_OK 0
#define FDL_ERR_INVALID_ARGUMENT 1
#define FDL_ERR_INVALID_HANDLE 2
#define FDL_ERR_OUT_OF_MEMORY 3
#define FDL_ERR_TORCH 4
#define FDL_ERR_UNSUPPORTED 5
#define FDL_ERR_INTERNAL 6

/* Element types of tensors crossing the boundary. */
#define FDL_DTYPE_FLOAT32 0
#define FDL_DTYPE_FLOAT64 1
#define FDL_DTYPE_INT64 2
#define FDL_DTYPE_BFLOAT16 3
#define FDL_DTYPE_INT32 4

/* Device types. */
#define FDL_DEVICE_CPU 0
#define FDL_DEVICE_CUDA 1


/* Maximum number of tensor dimensions accepted or returned. */
#define FDL_MAX_DIMS 8

typedef struct fdl_tensor fdl_tensor;
typedef struct fdl_text_encoder fdl_text_encoder;
typedef struct fdl_ecd fdl_ecd;
typedef struct fdl_image_encoder fdl_image_encoder;
typedef struct fdl_process_group fdl_process_group;
typedef struct fdl_data_parallel fdl_data_parallel;

/* ---- library and runtime ------------------------------------------------------------------ */

/* FDL_ABI_VERSION of the compiled library; cannot fail. */
FDL_API int32_t fdl_abi_version(void);

/* Writes "key=value" lines: fidelio_version, torch_version, cuda_available, cuda_device_count,
 * intra_op_threads, inter_op_threads, blas_library, blas_kernel, blas_config, parallel_info. */
FDL_API int32_t fdl_runtime_info(char* out, size_t out_cap, char* err, size_t err_cap);

/* Sets intra-op and inter-op thread counts; a value <= 0 leaves that count unchanged.
 * LibTorch accepts inter-op threads only once and only before any parallel work. */
FDL_API int32_t fdl_runtime_set_num_threads(int32_t intra_op, int32_t inter_op, char* err, size_t err_cap);

/* Number of devices of device_type available (CPU: 1). */
FDL_API int32_t fdl_runtime_device_count(int32_t device_type, int32_t* out, char* err, size_t err_cap);

/* Seeds LibTorch's default generators (CPU and CUDA). */
FDL_API int32_t fdl_runtime_manual_seed(uint64_t seed, char* err, size_t err_cap);
/* The CPU generator's state (its bytes as int64 [n]; dropout and other random ops draw from it), for checkpoints;
 * _set restores it, so a resumed run draws the same numbers as an uninterrupted one. */
FDL_API int32_t fdl_runtime_rng_state_get(fdl_tensor** out, char* err, size_t err_cap);
FDL_API int32_t fdl_runtime_rng_state_set(const fdl_tensor* state, char* err, size_t err_cap);
/* LibTorch's CPU allocations pass through a counter from the first call of either function on:
 * bytes in use (allocated since then, not yet freed) and their peak. A limit > 0 makes an
 * allocation that would exceed it fail as out of memory (FDL_ERR_OUT_OF_MEMORY), as a full
 * machine would: for tests of out-of-memory handling. 0 removes the limit. */
FDL_API int32_t fdl_runtime_set_memory_limit(uint64_t bytes, char* err, size_t err_cap);
/* reset_peak != 0 starts a new peak from the bytes in use now, after reading. */
FDL_API int32_t fdl_runtime_memory_stats(uint64_t* in_use, uint64_t* peak, int32_t reset_peak, char* err,
                                         size_t err_cap);

/* ---- tensors ---------------------------------------------------------------------------- */

/* A contiguous tensor of dtype and shape on the CPU, filled from data (data_bytes must equal
 * numel * element size) or with zeros when data is NULL. */
FDL_API int32_t fdl_tensor_new(int32_t dtype, const int64_t* shape, int32_t ndim, const void* data,
                               size_t data_bytes, fdl_tensor** out, char* err, size_t err_cap);
FDL_API int32_t fdl_tensor_free(fdl_tensor* tensor);
FDL_API int32_t fdl_tensor_dtype(const fdl_tensor* tensor, int32_t* out, char* err, size_t err_cap);
FDL_API int32_t fdl_tensor_ndim(const fdl_tensor* tensor, int32_t* out, char* err, size_t err_cap);
/* Writes ndim sizes into shape (shape_cap entries available). */
FDL_API int32_t fdl_tensor_shape(const fdl_tensor* tensor, int64_t* shape, int32_t shape_cap, char* err,
                                 size_t err_cap);
FDL_API int32_t fdl_tensor_device(const fdl_tensor* tensor, int32_t* device_type, int32_t* device_index,
                                  char* err, size_t err_cap);
/* Copies the elements (row-major) into dst; dst_bytes must equal numel * element size. */
FDL_API int32_t fdl_tensor_copy_to_host(const fdl_tensor* tensor, void* dst, size_t dst_bytes, char* err,
                                        size_t err_cap);
/* A new tensor with the values of tensor converted to dtype on the given device. */
FDL_API int32_t fdl_tensor_to(const fdl_tensor* tensor, int32_t dtype, int32_t device_type, int32_t device_index,
                              fdl_tensor** out, char* err, size_t err_cap);

/* ---- the state of any model handle (fdl_text_encoder, fdl_image_encoder, fdl_ecd) -------------- */

/* State entries are the parameters, then the buffers, named by module path ("layers.0.weight",
 * "encoder.layer.0.attention.self.query.weight", ...). Values are copies. */
FDL_API int32_t fdl_module_state_count(const void* module, int32_t* out, char* err, size_t err_cap);
FDL_API int32_t fdl_module_state_name(const void* module, int32_t index, char* name, size_t name_cap, char* err,
                                      size_t err_cap);
FDL_API int32_t fdl_module_state_get(const void* module, int32_t index, fdl_tensor** out, char* err, size_t err_cap);
/* The gradient of entry index from the last backward pass (zeros when none was computed). */
FDL_API int32_t fdl_module_state_gradient(const void* module, int32_t index, fdl_tensor** out, char* err,
                                          size_t err_cap);
/* 1 when entry index holds a gradient from the last backward pass, else 0 (frozen, buffer, none yet). */
FDL_API int32_t fdl_module_state_has_gradient(const void* module, int32_t index, int32_t* out, char* err,
                                              size_t err_cap);
/* 1 when entry index is a parameter that does not train (requires no gradient: a frozen encoder), else 0
 * (a trainable parameter or a buffer). Savers write frozen entries once per run instead of at every save. */
FDL_API int32_t fdl_module_state_frozen(const void* module, int32_t index, int32_t* out, char* err, size_t err_cap);
/* Overwrites entry index with value (same shape; converted to the entry's dtype). */
FDL_API int32_t fdl_module_state_set(void* module, int32_t index, const fdl_tensor* value, char* err, size_t err_cap);
/* Strict loading by name: every module key must be given (except those starting with one of the
 * comma-separated allow_missing_prefixes, which keep their values and are listed, comma-separated,
 * in report), no unknown key, every shape equal; otherwise nothing changes and the error lists
 * all missing keys, unexpected keys and shape mismatches. */
FDL_API int32_t fdl_module_load_state(void* module, const char* const* names, const fdl_tensor* const* tensors,
                                      int32_t count, const char* allow_missing_prefixes, char* report,
                                      size_t report_cap, char* err, size_t err_cap);
/* Converts every parameter and buffer to dtype (FLOAT32, FLOAT64 or BFLOAT16) on the device. */
FDL_API int32_t fdl_module_to(void* module, int32_t dtype, int32_t device_type, int32_t device_index, char* err,
                              size_t err_cap);

/* ---- a pretrained text encoder (a Hugging Face family by config.json's model_type: bert, roberta,
 * xlm-roberta, camembert, electra, distilbert, ...; state names are HF's checkpoint keys) ------- */

/* How a config.json field crosses: a number, a boolean (number 0 or 1), a string, or a list of
 * strings (text holds them joined by '|'). */
typedef enum fdl_config_kind {
  FDL_CONFIG_NUMBER = 0,
  FDL_CONFIG_BOOLEAN = 1,
  FDL_CONFIG_TEXT = 2,
  FDL_CONFIG_TEXTS = 3
} fdl_config_kind;
typedef struct fdl_config_value {
  const char* key;
  fdl_config_kind kind;
  double number;
  const char* text;
} fdl_config_value;
/* config.json's scalar fields (model_type required); the family reads what it uses, with its HF
 * config class's defaults for absent fields. */
typedef struct fdl_hf_config {
  const fdl_config_value* values;
  int64_t n_values;
} fdl_hf_config;
/* What the built encoder is: sizes the caller needs for tokenising and the heads. */
typedef struct fdl_text_encoder_info {
  int64_t hidden_size;
  int64_t vocab_size;
  int64_t max_sequence_length; /* the longest input its positions allow (RoBERTa: positions - pad - 1) */
  int64_t pad_token_id;        /* -1: none */
  int32_t has_pooler;          /* 0: cls_pooled takes the first token's hidden state */
} fdl_text_encoder_info;

/* Ludwig's reduce_output for sequence encoders */
typedef enum fdl_reduce {
  FDL_REDUCE_CLS_POOLED = 0,
  FDL_REDUCE_SUM = 1,
  FDL_REDUCE_MEAN = 2,
  FDL_REDUCE_LAST = 3,
  FDL_REDUCE_NONE = 4,
  FDL_REDUCE_MAX = 5,       /* over the non-padding tokens; a fully padded row gives 0 */
  FDL_REDUCE_CONCAT = 6,    /* every position, padding zeroed, flattened: [B, T * H] (an ECD input: T is the
                             * feature's max_sequence_length, fdl_input_spec.size) */
  FDL_REDUCE_ATTENTION = 7  /* Ludwig's learned feed-forward attention: an ECD input feature only */
} fdl_reduce;

/* The family's model with HF's initialisation from seed (use_pretrained: false); load pretrained
 * weights with fdl_module_load_state. An unknown model_type is FDL_ERR_UNSUPPORTED naming the
 * supported ones; a field of the wrong form is FDL_ERR_INVALID_ARGUMENT naming it. dtype FLOAT32 or FLOAT64. */
FDL_API int32_t fdl_text_encoder_new(const fdl_hf_config* config, int32_t dtype, uint64_t seed, fdl_text_encoder** out,
                                     char* err, size_t err_cap);
FDL_API int32_t fdl_text_encoder_free(fdl_text_encoder* encoder);
FDL_API int32_t fdl_text_encoder_describe(const fdl_text_encoder* encoder, fdl_text_encoder_info* out, char* err,
                                          size_t err_cap);
/* Frozen (0): no gradients, evaluation mode (dropout off); trainable (1): the default. */
FDL_API int32_t fdl_text_encoder_set_trainable(fdl_text_encoder* encoder, int32_t trainable, char* err, size_t err_cap);
/* How many rows (sequences) all text encoders of this process have run forward so far, in every
 * entry point (forward, train step, evaluate, embed): description.json
 * reports a run's, which shows the encoder work that cached embeddings or a reused store skipped. */
FDL_API int32_t fdl_text_encoder_forward_rows(int64_t* out, char* err, size_t err_cap);
/* Evaluation mode, no autograd. input_ids and attention_mask (1 keep, 0 pad) [B, T]; out is
 * [B, T, H] for FDL_REDUCE_NONE, [B, T * H] for CONCAT, else [B, H]; ATTENTION is refused (its weights
 * belong to an ECD input feature). */
FDL_API int32_t fdl_text_encoder_forward(fdl_text_encoder* encoder, const fdl_tensor* input_ids,
                                         const fdl_tensor* attention_mask, int32_t reduce, fdl_tensor** out, char* err,
                                         size_t err_cap);
/* ---- a torchvision image encoder (state names are torchvision's keys) ------------------------ */

/* Ludwig 0.10's torchvision encoder type ("resnet", "vgg", "squeezenet", ...) and model_variant
 * ("50", "16_bn", "1_1", ...), cut where Ludwig cuts it (its last classifier layer is Identity), with
 * torchvision's initialisation from seed; load a torchvision checkpoint (minus the removed layer's
 * keys) with fdl_module_load_state. An unknown type or variant is FDL_ERR_INVALID_ARGUMENT listing the
 * known ones. in_channels is 3, or 1..4 for resnet only. dtype FLOAT32 or FLOAT64. */
FDL_API int32_t fdl_image_encoder_new(const char* type, const char* variant, int64_t in_channels, int32_t dtype,
                                      uint64_t seed, fdl_image_encoder** out, char* err, size_t err_cap);
FDL_API int32_t fdl_image_encoder_free(fdl_image_encoder* encoder);
/* The width of the features forward returns (512 for resnet18, 4096 for vgg, ...). */
FDL_API int32_t fdl_image_encoder_feature_size(const fdl_image_encoder* encoder, int64_t* out, char* err,
                                               size_t err_cap);
/* Evaluation mode (batch norm uses its running statistics, dropout off), no autograd. images: float
 * [B, in_channels, H, W]; out: the features [B, feature_size]. */
FDL_API int32_t fdl_image_encoder_forward(fdl_image_encoder* encoder, const fdl_tensor* images, fdl_tensor** out,
                                          char* err, size_t err_cap);

/* ---- the ECD model (Ludwig's encoder-combiner-decoder) -------------------------------------- */
/* A model is described by one fdl_ecd_spec and trained by one fdl_train_spec; the structs mirror
 * Fidelio's config records field by field (Java writes them by name: a new field is one line here,
 * one record component there, and the module that reads it). */
/* Activations of fully connected layers (Ludwig's names; NONE is activation: null). */
typedef enum fdl_activation {
  FDL_ACTIVATION_RELU = 0,
  FDL_ACTIVATION_TANH = 1,
  FDL_ACTIVATION_SIGMOID = 2,
  FDL_ACTIVATION_ELU = 3,
  FDL_ACTIVATION_LEAKY_RELU = 4,
  FDL_ACTIVATION_LOG_SIGMOID = 5,
  FDL_ACTIVATION_SOFTMAX = 6,
  FDL_ACTIVATION_NONE = 7
} fdl_activation;
/* Norm after a fully connected layer (NONE is norm: null). */
typedef enum fdl_norm {
  FDL_NORM_NONE = 0,
  FDL_NORM_BATCH = 1,
  FDL_NORM_LAYER = 2,
  FDL_NORM_GHOST = 3
} fdl_norm;
/* Ludwig's norm_params: virtual_batch_size for ghost norm; momentum for batch/ghost (PyTorch's
 * convention: the weight of the new statistics); epsilon for all. */
typedef struct fdl_norm_params {
  int64_t virtual_batch_size;
  double momentum;
  double epsilon;
} fdl_norm_params;
/* Ludwig's bias_initializer: torch.nn.init's zeros_, ones_, normal_ (mean 0, std 1), uniform_ (0, 1). */
typedef enum fdl_bias_initializer {
  FDL_BIAS_INITIALIZER_ZEROS = 0,
  FDL_BIAS_INITIALIZER_ONES = 1,
  FDL_BIAS_INITIALIZER_NORMAL = 2,
  FDL_BIAS_INITIALIZER_UNIFORM = 3
} fdl_bias_initializer;
/* One fully connected layer: Linear (without bias when use_bias is 0; its bias initialised by
 * bias_initializer) -> norm -> activation -> dropout. */
typedef struct fdl_fc_layer {
  int64_t output_size;
  fdl_activation activation;
  double dropout;
  fdl_norm norm;
  fdl_norm_params norm_params;
  int32_t use_bias;
  fdl_bias_initializer bias_initializer;
} fdl_fc_layer;
/* A stack of layers (n_layers may be 0); residual != 0 adds each layer's input to its output where
 * the sizes match (the concat combiner's residual). */
typedef struct fdl_fc_stack {
  const fdl_fc_layer* layers;
  int32_t n_layers;
  int32_t residual;
} fdl_fc_stack;
typedef enum fdl_input_type {
  FDL_INPUT_TEXT = 0,
  FDL_INPUT_IMAGE = 1,
  FDL_INPUT_EMBEDDING = 2,
  FDL_INPUT_SCALAR = 3,
  FDL_INPUT_CATEGORY = 4
} fdl_input_type;
/* One input feature; the fields its type does not name are ignored.
 * TEXT: encoder is an fdl_text_encoder (shared: the handle may be freed afterwards), reduce_output, trainable,
 *   size: the feature's max_sequence_length (needed by FDL_REDUCE_CONCAT, whose output is size * hidden).
 *   Batch tensors: input_ids [B, T] int64, attention_mask [B, T] int64; with cached embeddings on, the
 *   reduced embedding [B, output width] float32 instead (not for ATTENTION: its reducer trains).
 * IMAGE: encoder is an fdl_image_encoder (shared likewise), trainable (0: eval mode, no autograd).
 *   Batch tensor: images [B, C, H, W] float32 (resized, standardised); cached: the encoder's features.
 * EMBEDDING: precomputed [B, size] float32 rows, passed through unchanged.
 * SCALAR (number, binary): float32 [B]; no encoder layers is the passthrough encoder ([B, 1]), else the
 *   dense encoder's layers.
 * CATEGORY: int64 class ids [B] over size classes (id 0 is <UNK>); embedding_size > 0 is the dense
 *   encoder (learned embedding, at most size wide, trainable: its embeddings train), 0 one-hot. */
typedef struct fdl_input_spec {
  const char* name;
  fdl_input_type type;
  const void* encoder;
  fdl_reduce reduce_output;
  int32_t trainable;
  int64_t size;
  int64_t embedding_size;
  double dropout;
  fdl_fc_stack encoder_layers;
} fdl_input_spec;
/* The concat combiner: every input's encoding joined, then its fc stack. */
typedef struct fdl_combiner_spec {
  fdl_fc_stack fc;
} fdl_combiner_spec;
/* Losses of number outputs (Ludwig's mean_squared_error, mean_absolute_error, root_mean_squared_error,
 * mean_absolute_percentage_error, root_mean_squared_percentage_error, huber). */
typedef enum fdl_number_loss {
  FDL_NUMBER_LOSS_MSE = 0,
  FDL_NUMBER_LOSS_MAE = 1,
  FDL_NUMBER_LOSS_RMSE = 2,
  FDL_NUMBER_LOSS_MAPE = 3,
  FDL_NUMBER_LOSS_RMSPE = 4,
  FDL_NUMBER_LOSS_HUBER = 5
} fdl_number_loss;
/* Losses of category outputs: Ludwig's softmax_cross_entropy, and corn (ordinal: the first num_classes - 1
 * logits are conditional "above class k" tasks; probabilities are their cumulative products and the
 * prediction counts those above 0.5). */
typedef enum fdl_category_loss {
  FDL_CATEGORY_LOSS_SOFTMAX_CROSS_ENTROPY = 0,
  FDL_CATEGORY_LOSS_CORN = 1
} fdl_category_loss;
typedef enum fdl_output_type {
  FDL_OUTPUT_CATEGORY = 0,
  FDL_OUTPUT_BINARY = 1,
  FDL_OUTPUT_NUMBER = 2
} fdl_output_type;
/* One output feature, weighted by loss_weight (>= 0) in the total loss; decoder: Ludwig's decoder
 * fc_layers between the combiner and the head. Targets: category int64 class ids [B] over
 * num_classes (category_loss; class_weights: n_class_weights finite weights >= 0, or none, softmax
 * cross-entropy only); binary float 0/1 [B]
 * (positive_class_weight; robust_lambda in [0, 1] scales the cross-entropy by 1 - robust_lambda;
 * confidence_penalty >= 0 adds Ludwig's mean confidence penalty); number float [B] (number_loss;
 * huber_delta > 0 for FDL_NUMBER_LOSS_HUBER). */
typedef struct fdl_output_spec {
  const char* name;
  fdl_output_type type;
  int64_t num_classes;
  const float* class_weights;
  int32_t n_class_weights;
  double positive_class_weight;
  fdl_number_loss number_loss;
  double loss_weight;
  fdl_fc_stack decoder;
  double huber_delta;
  double robust_lambda;
  double confidence_penalty;
  fdl_category_loss category_loss;
} fdl_output_spec;
/* seed initialises every new layer (each input's from seed + its index, independent of the others). */
typedef struct fdl_ecd_spec {
  const fdl_input_spec* inputs;
  int32_t n_inputs;
  fdl_combiner_spec combiner;
  const fdl_output_spec* outputs;
  int32_t n_outputs;
  uint64_t seed;
} fdl_ecd_spec;
/* Builds the model a spec describes, with AdamW at torch's defaults until fdl_ecd_configure. */
FDL_API int32_t fdl_ecd_new(const fdl_ecd_spec* spec, fdl_ecd** out, char* err, size_t err_cap);
FDL_API int32_t fdl_ecd_free(fdl_ecd* ecd);
/* ---- training an ECD model ---------------------------------------------------------------- */
typedef enum fdl_optimizer_type {
  FDL_OPTIMIZER_ADAMW = 0,
  FDL_OPTIMIZER_ADAM = 1,
  FDL_OPTIMIZER_SGD = 2
} fdl_optimizer_type;
/* ADAMW: decoupled decay (p -= lr * wd * p); ADAM: weight decay is L2 added to the gradient
 * (torch.optim.Adam), betas and eps; SGD: torch.optim.SGD (momentum buffer starts as the first
 * gradient), dampening, nesterov, L2 decay. exclude_bias_and_norm != 0 exempts one-dimensional
 * parameters (biases, norm scales) from decay. */
typedef struct fdl_optimizer_spec {
  fdl_optimizer_type type;
  double beta1;
  double beta2;
  double eps;
  double weight_decay;
  double momentum;
  double dampening;
  int32_t nesterov;
  int32_t exclude_bias_and_norm;
} fdl_optimizer_spec;
/* Gradient clipping before each update, in this order: the global L2 norm of all gradients, each
 * gradient's own L2 norm, each element's absolute value. A limit <= 0 turns that kind off. */
typedef struct fdl_clipping_spec {
  double max_global_norm;
  double max_norm;
  double max_value;
} fdl_clipping_spec;
/* Mixed precision (trainer.use_mixed_precision): forward and loss of training and evaluation run
 * under autocast. BFLOAT16 works on CPU and CUDA; FLOAT16 needs CUDA and adds dynamic loss scaling
 * (steps with inf/NaN gradients are skipped and counted, the scale backs off and regrows). */
typedef enum fdl_precision {
  FDL_PRECISION_FLOAT32 = 0,
  FDL_PRECISION_BFLOAT16 = 1,
  FDL_PRECISION_FLOAT16 = 2
} fdl_precision;
/* compile != 0 (trainer.compile) captures each input shape's whole train step as a CUDA graph and
 * replays it (CUDA, float32 or bfloat16, one process, adam/adamw with LibTorch >= 2.4; train steps
 * that accumulate gradients stay eager). Elsewhere the step stays eager; on the CPU evaluation runs
 * a frozen TorchScript copy of the model (float32, raw inputs; remade after any weight change) when
 * the first batch shows it faster than the eager modules.
 * l1_regularization (>= 0; trainer.regularization_lambda with regularization_type l1 or l1_l2) adds
 * l1_regularization * sign(p) to every trainable parameter's gradient once per update, after the
 * gradients are reduced and unscaled and before clipping: the gradient of Ludwig's penalty
 * lambda * sum|p| (the sum p^2 part of l1_l2 and l2 is the optimizer spec's coupled weight decay).
 * The loss reported by a train step is the features' loss, without the penalty.
 * layers_to_freeze_regex (NULL or empty: none; trainer.layers_to_freeze_regex) freezes every parameter
 * whose name it matches anywhere (ECMAScript std::regex_search, as Ludwig's re.search): no gradient,
 * never updated, not in the optimizer. Names are the model's state names (fdl_module_state_name),
 * e.g. "input_features.text.bert.encoder.layer.0.attention.self.query.weight". Parameters of an
 * encoder built untrainable stay frozen either way. A regex that does not compile or matches no
 * trainable parameter fails, and nothing changes.
 * gradient_checkpointing != 0 (trainer.enable_gradient_checkpointing) recomputes each text encoder
 * layer's forward during backward instead of keeping its activations (same gradients, dropout masks
 * replayed from the forward's RNG state; less memory, one more forward of the layers). Such steps are
 * not captured as CUDA graphs. */
typedef struct fdl_train_spec {
  fdl_optimizer_spec optimizer;
  fdl_clipping_spec clipping;
  fdl_precision precision;
  int32_t compile;
  double l1_regularization;
  const char* layers_to_freeze_regex;
  int32_t gradient_checkpointing;
} fdl_train_spec;
/* Replaces the optimizer (fresh state), clipping, precision and compile setting; report receives one
 * line saying how compile applies and why. Call it after fdl_ecd_to_device. */
FDL_API int32_t fdl_ecd_configure(fdl_ecd* ecd, const fdl_train_spec* spec, char* report, size_t report_cap,
                                  char* err, size_t err_cap);
/* The optimizer's state, for checkpoints: entries named "step", "exp_avg.<i>", "exp_avg_sq.<i>" (adam,
 * adamw) or "momentum_buffer.<i>" (sgd, once a step has run); values are copies. _set overwrites
 * (or creates) one entry by name. */
FDL_API int32_t fdl_ecd_optimizer_state_count(const fdl_ecd* ecd, int32_t* out, char* err, size_t err_cap);
FDL_API int32_t fdl_ecd_optimizer_state_name(const fdl_ecd* ecd, int32_t index, char* name, size_t name_cap,
                                             char* err, size_t err_cap);
FDL_API int32_t fdl_ecd_optimizer_state_get(const fdl_ecd* ecd, int32_t index, fdl_tensor** out, char* err,
                                            size_t err_cap);
FDL_API int32_t fdl_ecd_optimizer_state_set(fdl_ecd* ecd, const char* name, const fdl_tensor* value, char* err,
                                            size_t err_cap);
/* The float16 loss scale now and the optimizer steps skipped for non-finite gradients (1, 0 otherwise). */
FDL_API int32_t fdl_ecd_loss_scale(const fdl_ecd* ecd, double* scale, int64_t* skipped_steps, char* err,
                                   size_t err_cap);
/* Switches input input_index (text or image) between raw tensors and cached embeddings (frozen encoders only). */
FDL_API int32_t fdl_ecd_set_cached_embeddings(fdl_ecd* ecd, int32_t input_index, int32_t enabled, char* err,
                                              size_t err_cap);
/* The frozen encoder's output [B, D] for the input's raw tensors (text: input_ids, attention_mask;
 * image: images), in eval mode without autograd: what the embedding cache stores. */
FDL_API int32_t fdl_ecd_embed(fdl_ecd* ecd, int32_t input_index, const fdl_tensor* const* raw_inputs,
                              int32_t n_raw_inputs, fdl_tensor** out, char* err, size_t err_cap);
/* One micro-batch of a training step: inputs are every input feature's tensors in feature order;
 * targets one per output feature. Forward, weighted loss sum, backward of loss * loss_scale (the
 * micro-batch's share of the update's rows; 1 without accumulation). begins_update != 0 drops the
 * previous gradients first; ends_update != 0 then clips and applies the optimizer at learning_rate.
 * loss_out receives the unscaled loss. */
FDL_API int32_t fdl_ecd_train_step(fdl_ecd* ecd, const fdl_tensor* const* inputs, int32_t n_inputs,
                                   const fdl_tensor* const* targets, int32_t n_targets, double loss_scale,
                                   int32_t begins_update, int32_t ends_update, double learning_rate,
                                   double* loss_out, char* err, size_t err_cap);
/* Moves the model and its optimizer state to a device (FDL_DEVICE_CPU or FDL_DEVICE_CUDA). Every
 * later call takes host tensors as before and moves them there (from page-locked memory on CUDA:
 * fdl_tensor_new pins from now on); predictions and embeddings come back on the host. Call it
 * before fdl_ecd_set_data_parallel. */
FDL_API int32_t fdl_ecd_to_device(fdl_ecd* ecd, int32_t device_type, int32_t device_index, char* err,
                                  size_t err_cap);
/* Captured CUDA graphs, train steps replayed through them, steps of the compiled path run eagerly
 * (warm-up, or shapes beyond the graph limit); on the CPU the frozen TorchScript copies made, the
 * first evaluation batch's milliseconds frozen and eager (0 before it; the faster serves; frozen is
 * infinite when the copy's logits differed) and that batch's largest logit difference between the
 * two, relative to the largest logit. */
typedef struct fdl_compile_stats {
  int64_t graphs;
  int64_t replays;
  int64_t eager_steps;
  int64_t frozen_copies;
  double frozen_ms;
  double eager_ms;
  double frozen_difference;
} fdl_compile_stats;
FDL_API int32_t fdl_ecd_compile_stats(const fdl_ecd* ecd, fdl_compile_stats* out, char* err, size_t err_cap);
/* Trains data-parallel from now on: the train step that ends an update synchronises the gradients
 * through data_parallel (shared; the handle may be freed afterwards) between backward and the
 * optimizer step, and the optimizer is recreated (fresh state, the last fdl_ecd_set_adam/_sgd
 * settings) over the parameters this rank updates. float16 loss scaling and ZeRO-1 exclude each other. */
FDL_API int32_t fdl_ecd_set_data_parallel(fdl_ecd* ecd, const fdl_data_parallel* data_parallel, char* err,
                                          size_t err_cap);
/* Evaluation mode, no autograd: predictions[i] receives output i's probabilities [B, C] (category),
 * probability [B] (binary) or value [B] (number); with targets (n_targets > 0) also the loss. */
FDL_API int32_t fdl_ecd_evaluate(fdl_ecd* ecd, const fdl_tensor* const* inputs, int32_t n_inputs,
                                 const fdl_tensor* const* targets, int32_t n_targets, double* loss_out,
                                 fdl_tensor** predictions, int32_t n_predictions, char* err, size_t err_cap);

/* Writes the whole model (real encoders, combiner, heads; evaluation mode) as a TorchScript file
 * that torch.jit.load (Python) and torch::jit::load (C++) open. forward(inputs: Dict[str, Tensor])
 * -> Dict[str, Tensor]; the contract is in native/src/ecd/torchscript_export.h. binary_thresholds:
 * one per output feature, read for binary outputs (their _predictions). */
FDL_API int32_t fdl_ecd_export_torchscript(const fdl_ecd* ecd, const char* path, const double* binary_thresholds,
                                           int32_t n_thresholds, char* err, size_t err_cap);

/* ---- data-parallel training on c10d ------------------------------------------------------- */

#define FDL_DIST_BACKEND_GLOO 0
#define FDL_DIST_BACKEND_NCCL 1
#define FDL_STRATEGY_DDP 0
#define FDL_STRATEGY_ZERO1 1

/* Joins a process group of world_size ranks: rank 0 hosts a c10d TCPStore at master_addr:master_port,
 * the others connect to it; then a Gloo (CPU) or NCCL (CUDA) process group. Every collective fails
 * after timeout_ms at the latest, with a message naming the rank that stopped or lags. */
FDL_API int32_t fdl_process_group_new(const char* master_addr, int32_t master_port, int32_t rank, int32_t world_size,
                                      int32_t backend, int64_t timeout_ms, fdl_process_group** out, char* err,
                                      size_t err_cap);
FDL_API int32_t fdl_process_group_free(fdl_process_group* group);
/* 1 when this build can create NCCL process groups, else 0. */
FDL_API int32_t fdl_process_group_nccl_available(int32_t* out, char* err, size_t err_cap);
FDL_API int32_t fdl_process_group_barrier(fdl_process_group* group, char* err, size_t err_cap);
/* values (count numbers) becomes the element-wise sum over all ranks, on every rank. */
FDL_API int32_t fdl_process_group_all_reduce_sum(fdl_process_group* group, double* values, int32_t count, char* err,
                                                 size_t err_cap);
/* values (count numbers) becomes root's values on every rank. */
FDL_API int32_t fdl_process_group_broadcast(fdl_process_group* group, double* values, int32_t count, int32_t root,
                                            char* err, size_t err_cap);
/* Every parameter and buffer of a model handle becomes root's. */
FDL_API int32_t fdl_process_group_broadcast_module(fdl_process_group* group, void* module, int32_t root, char* err,
                                                   size_t err_cap);
/* Gradient synchronisation of module's trainable parameters in buckets of at most bucket_bytes:
 * FDL_STRATEGY_DDP all-reduces every gradient; FDL_STRATEGY_ZERO1 gives each parameter one owner
 * rank that alone receives its reduced gradient, keeps its optimizer state and broadcasts it. */
FDL_API int32_t fdl_data_parallel_new(fdl_process_group* group, const void* module, int32_t strategy,
                                      int64_t bucket_bytes, fdl_data_parallel** out, char* err, size_t err_cap);
FDL_API int32_t fdl_data_parallel_free(fdl_data_parallel* data_parallel);
/* This rank's rows over the global batch's rows for the next step (0 for a rank without rows). */
FDL_API int32_t fdl_data_parallel_set_share(fdl_data_parallel* data_parallel, double share, char* err,
                                            size_t err_cap);
/* Bytes of the parameters this rank updates (and holds optimizer state for) and of all of them. */
FDL_API int32_t fdl_data_parallel_parameter_bytes(const fdl_data_parallel* data_parallel, int64_t* updated_bytes,
                                                  int64_t* total_bytes, char* err, size_t err_cap);

#ifdef __cplusplus
}
#endif

#endif /* FIDELIO_H */
