// The ECD model as a TorchScript module (the export's, see torchscript_export.h for its contract),
// for the files that work with the module itself: its parameters share the live model's storage.
#pragma once

#include <torch/csrc/jit/api/module.h>

#include <vector>

#include "ecd/ecd_model.h"

namespace fdl {

torch::jit::Module scripted_ecd(const EcdModelImpl& model, const std::vector<double>& binary_thresholds);
// One module tree (an encoder) scripted the same way, so tests can hold its TorchScript forward
// against its C++ forward without building a whole model.
torch::jit::Module scripted_module(const torch::nn::Module& module);

}  // namespace fdl
