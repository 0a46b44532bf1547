// Fidelio's own failures: a status code (FDL_ERR_*) and a message, thrown by checks anywhere in the
// library and turned into the C ABI's status and error text by abi/api_guard.h.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "fidelio.h"

namespace fdl {

// A failure with a chosen status code; thrown by our own checks.
struct Failure : std::runtime_error {
  int32_t code;
  Failure(int32_t c, const std::string& message) : std::runtime_error(message), code(c) {}
};

[[noreturn]] inline void fail(int32_t code, const std::string& message) { throw Failure(code, message); }

// Throws FDL_ERR_INVALID_ARGUMENT with message unless cond holds.
inline void require(bool cond, const std::string& message) {
  if (!cond) fail(FDL_ERR_INVALID_ARGUMENT, message);
}

template <class T>
void require_out(T* out, const char* what) {
  require(out != nullptr, std::string("output pointer '") + what + "' is NULL");
}

}  // namespace fdl
