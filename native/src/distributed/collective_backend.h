// The c10d class collectives run on: in LibTorch 2.x ProcessGroupGloo and ProcessGroupNCCL are
// backends (c10d::Backend) of a dispatching ProcessGroup; Fidelio talks to the backend directly.
#pragma once

#include <torch/csrc/distributed/c10d/Backend.hpp>

namespace fdl {
using CollectiveBackend = c10d::Backend;
}
