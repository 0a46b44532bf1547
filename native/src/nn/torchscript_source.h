// A module that writes its own TorchScript forward. The export (ecd/torchscript_export.cpp) walks the
// module tree, registers each module's parameters, buffers and children under their names and
// defines its forward from this source, so a family's export code lives beside its module.
// Standard LibTorch modules (Linear, Conv2d, BatchNorm2d, LayerNorm, Embedding, Sequential, Dropout)
// already have sources in the export; containers and dropout need none.
#pragma once

#include <string>

namespace fdl {

struct TorchScriptSource {
  virtual ~TorchScriptSource() = default;
  // e.g. "def forward(self, x: Tensor) -> Tensor:\n    return torch.relu(self.conv.forward(x))\n";
  // evaluation mode only (dropout and stochastic depth are identities in the export).
  virtual std::string torchscript_forward() const = 0;
};

}  // namespace fdl
