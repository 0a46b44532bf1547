// Strict weight loading, as nanoGPT's from_pretrained does it: the checkpoint's key set and the
// module's must agree both ways and every shape must match, or nothing is copied and the error
// lists every missing key, unexpected key and shape mismatch. Reusable by every model.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

namespace fdl {

struct StrictLoadOptions {
  // Module keys starting with one of these may be absent from the checkpoint (a new task head,
  // "pooler."): they keep their initial values and are reported.
  std::vector<std::string> allow_missing_prefixes;
  // Checkpoint keys that are known not to be weights and are skipped (HF BERT checkpoints saved
  // before transformers 4.31 carry the persistent buffer "embeddings.position_ids").
  std::vector<std::string> ignore_unexpected;
};

struct LoadReport {
  std::vector<std::string> loaded;
  std::vector<std::string> left_at_initialisation;  // missing but allowed by a prefix
  std::vector<std::string> ignored;                 // unexpected but listed in ignore_unexpected
};

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Copies state into the module's parameters and buffers (converted to their dtype and device)
// under NoGradGuard. Throws fdl::Failure(FDL_ERR_INVALID_ARGUMENT) listing every problem; on
// failure the module is unchanged.
LoadReport load_state_strict(torch::nn::Module& module, const NamedTensors& state,
                             const StrictLoadOptions& options = {});

}  // namespace fdl
