// The c10d class collectives run on: c10d::ProcessGroup in LibTorch 1.x, c10d::Backend in 2.x
// (where ProcessGroupGloo and ProcessGroupNCCL became backends of a dispatching ProcessGroup).
#pragma once

#include <torch/version.h>

#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
namespace fdl {
using CollectiveBackend = c10d::Backend;
}
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
namespace fdl {
using CollectiveBackend = c10d::ProcessGroup;
}
#endif
