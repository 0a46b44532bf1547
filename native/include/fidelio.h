/*
 * fidelio.h: the only surface of the native library that Java sees.
 *
 * Conventions (bindings/generator parses this file, keep to them):
 *  - Every function is declared on lines starting with FDL_API and ends with ");".
 *  - Parameter types are int32_t, int64_t, uint64_t, size_t, float, double or pointers.
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
#define FDL_ABI_VERSION 1

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

/* Loss functions of the MLP. */
#define FDL_LOSS_CROSS_ENTROPY 0
#define FDL_LOSS_MSE 1

/* Maximum number of tensor dimensions accepted or returned. */
#define FDL_MAX_DIMS 8

typedef struct fdl_tensor fdl_tensor;
typedef struct fdl_mlp fdl_mlp;

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
 * for fdl_mlp_gradient. */
FDL_API int32_t fdl_mlp_loss(fdl_mlp* mlp, const fdl_tensor* x, const fdl_tensor* y, int32_t compute_gradients,
                             double* loss_out, char* err, size_t err_cap);
/* Outputs [batch, out_features] in evaluation mode, without autograd. */
FDL_API int32_t fdl_mlp_forward(fdl_mlp* mlp, const fdl_tensor* x, fdl_tensor** out, char* err, size_t err_cap);
FDL_API int32_t fdl_mlp_parameter_count(const fdl_mlp* mlp, int32_t* out, char* err, size_t err_cap);
/* Name of parameter i ("layers.0.weight", ...), NUL-terminated into name. */
FDL_API int32_t fdl_mlp_parameter_name(const fdl_mlp* mlp, int32_t index, char* name, size_t name_cap, char* err,
                                       size_t err_cap);
/* A copy of parameter i, or of its gradient (zeros when none was computed). */
FDL_API int32_t fdl_mlp_parameter(const fdl_mlp* mlp, int32_t index, fdl_tensor** out, char* err, size_t err_cap);
FDL_API int32_t fdl_mlp_gradient(const fdl_mlp* mlp, int32_t index, fdl_tensor** out, char* err, size_t err_cap);
/* Overwrites parameter i with value (same shape; converted to the parameter's dtype). */
FDL_API int32_t fdl_mlp_set_parameter(fdl_mlp* mlp, int32_t index, const fdl_tensor* value, char* err,
                                      size_t err_cap);

#ifdef __cplusplus
}
#endif

#endif /* FIDELIO_H */
