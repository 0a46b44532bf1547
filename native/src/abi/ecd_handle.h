// The fdl_ecd handle: a trainer (ecd/trainer.h) holding the ECD model, and the unwrapping shared by
// the two C ABI files of the model (ecd_api.cpp builds and predicts, ecd_training_api.cpp trains).
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "abi/tensor_handle.h"
#include "ecd/trainer.h"

struct fdl_ecd {
  std::unique_ptr<fdl::Trainer> trainer;
};

namespace fdl {

// The live handle's trainer (fails naming the argument otherwise).
Trainer& trainer_of(const fdl_ecd* handle);

// The tensors of a C array of handles; what names the argument in errors ("inputs[2]").
std::vector<at::Tensor> tensors_of(const fdl_tensor* const* handles, int32_t count, const char* what);

// The model an fdl_ecd_spec describes: handles checked, codes checked, layers initialised from its seed.
EcdModel model_of(const fdl_ecd_spec& spec);

}  // namespace fdl
