/*
 * fidelio_testing.h: test hooks, not part of the product ABI. They live in libfidelio_testing.so, a
 * build of the whole library plus these functions that only the tests and the boundary benchmark
 * load; libfidelio.so has none of them. Same conventions as fidelio.h.
 */
#ifndef FIDELIO_TESTING_H
#define FIDELIO_TESTING_H
#include "fidelio.h"
#ifdef __cplusplus
extern "C" {
#endif
/* Loss functions of the MLP. */
#define FDL_LOSS_CROSS_ENTROPY 0
#define FDL_LOSS_MSE 1
typedef struct fdl_mlp fdl_mlp;
/* ---- a multi-layer perceptron: the smallest model driven through the whole path ---------- */

/* Linear layers in_features -> hidden[0] -> ... -> out_features with ReLU between them,
 * parameters of dtype (FLOAT32 or FLOAT64) initialised from seed, AdamW with lr-independent
 * defaults (betas 0.9/0.999, eps 1e-8, weight_decay 0.01). */
FDL_API int32_t fdl_mlp_new(int64_t in_features, const int64_t* hidden, int32_t n_hidden, int64_t out_features,
                            int32_t loss, int32_t dtype, uint64_t seed, fdl_mlp** out, char* err, size_t err_cap);
FDL_API int32_t fdl_mlp_free(fdl_mlp* mlp);
FDL_API int32_t fdl_mlp_set_adamw(fdl_mlp* mlp, double beta1, double beta2, double eps, double weight_decay,
                                  char* err, size_t err_cap);
/* One training step in one call: zero grads, forward, loss, backward, AdamW update.
 * x: [batch, in_features]; y: [batch] int64 class ids (cross-entropy) or [batch, out] (MSE). */
FDL_API int32_t fdl_mlp_train_step(fdl_mlp* mlp, const fdl_tensor* x, const fdl_tensor* y, double learning_rate,
                                   double* loss_out, char* err, size_t err_cap);
/* The loss without an update; with compute_gradients != 0 the gradients are left in place
 * for fdl_module_state_gradient. */
FDL_API int32_t fdl_mlp_loss(fdl_mlp* mlp, const fdl_tensor* x, const fdl_tensor* y, int32_t compute_gradients,
                             double* loss_out, char* err, size_t err_cap);
/* Outputs [batch, out_features] in evaluation mode, without autograd. */
FDL_API int32_t fdl_mlp_forward(fdl_mlp* mlp, const fdl_tensor* x, fdl_tensor** out, char* err, size_t err_cap);

/* For gradient checks: loss = sum(reduced output * weight) with dropout off; a trainable model runs
 * backward and keeps the gradients for fdl_module_state_gradient. */
FDL_API int32_t fdl_text_encoder_loss_grad(fdl_text_encoder* encoder, const fdl_tensor* input_ids,
                                           const fdl_tensor* attention_mask, int32_t reduce, const fdl_tensor* weight,
                                           double* loss_out, char* err, size_t err_cap);

/* For gradient checks against torchvision: train mode (batch statistics) with dropout off,
 * loss = sum(features * weight), backward; the gradients stay for fdl_module_state_gradient. */
FDL_API int32_t fdl_image_encoder_loss_grad(fdl_image_encoder* encoder, const fdl_tensor* images,
                                            const fdl_tensor* weight, double* loss_out, char* err, size_t err_cap);

#ifdef __cplusplus
}
#endif
#endif /* FIDELIO_TESTING_H */
