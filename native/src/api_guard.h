// The exception firewall of the C ABI: every entry point runs its body through fdl::guarded,
// which turns any C++ exception into a status code plus a message in the caller's buffer.
// An exception that escaped an extern "C" function would abort the JVM.
#pragma once

#include <cstddef>
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

// Copies message into (buf, cap), always NUL-terminated, truncating with "..." when needed.
void write_message(char* buf, size_t cap, const std::string& message) noexcept;

// Classifies the active exception; must be called inside a catch block.
int32_t report_current_exception(char* err, size_t err_cap) noexcept;

template <class Body>
int32_t guarded(char* err, size_t err_cap, Body&& body) noexcept {
  try {
    body();
    if (err != nullptr && err_cap > 0) err[0] = '\0';
    return FDL_OK;
  } catch (...) {
    return report_current_exception(err, err_cap);
  }
}

template <class T>
void require_out(T* out, const char* what) {
  require(out != nullptr, std::string("output pointer '") + what + "' is NULL");
}

}  // namespace fdl
