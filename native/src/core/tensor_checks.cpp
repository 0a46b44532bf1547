#include "core/tensor_checks.h"

#include <sstream>

#include "core/failure.h"

namespace fdl {

std::string shape_string(at::IntArrayRef sizes) {
  std::ostringstream out;
  out << sizes;
  return out.str();
}

void require_ids_in_range(const at::Tensor& ids, int64_t n, const char* what) {
  if (ids.numel() == 0) return;
  int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
  require(lo >= 0 && hi < n, std::string(what) + " must lie in [0, " + std::to_string(n) + "), got " +
                                 std::to_string(lo) + ".." + std::to_string(hi));
}

}  // namespace fdl
