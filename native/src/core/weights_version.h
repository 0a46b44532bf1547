// A counter of weight changes in any module (optimizer steps, state loads, device moves): copies
// made from the weights (the frozen TorchScript forward) compare it to know they are stale.
#pragma once

#include <atomic>
#include <cstdint>

namespace fdl {

inline std::atomic<uint64_t> weights_version_counter{0};

inline uint64_t weights_version() { return weights_version_counter.load(); }
inline void bump_weights_version() { ++weights_version_counter; }

}  // namespace fdl
