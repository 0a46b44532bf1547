// Activation checkpointing (trainer.enable_gradient_checkpointing), torch.utils.checkpoint's
// reentrant variant, which LibTorch lacks: a layer's forward runs without autograd and keeps only its
// input; backward re-runs it with autograd under the forward's RNG state (dropout draws the same
// masks) and autocast, then back-propagates through that recomputed graph, which accumulates the
// layer's parameter gradients exactly where the plain forward would have.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>

namespace fdl {

// Runs layer on x; context (an attention mask, or a bias computed from parameters) gets its
// gradient when it requires one.
using LayerForward = at::Tensor (*)(torch::nn::Module& layer, const at::Tensor& x, const at::Tensor& context);

// forward(layer, x, context), keeping only x and context for backward. layer must outlive the
// backward. Without grad mode, or when x needs no gradient (everything below is frozen: the layer's
// parameters would get none either, as in PyTorch's reentrant checkpoint), it runs plainly instead.
at::Tensor checkpoint(torch::nn::Module& layer, LayerForward forward, const at::Tensor& x, const at::Tensor& context);

}  // namespace fdl
