// The exception firewall of the C ABI: every entry point runs its body through fdl::guarded,
// which turns any C++ exception into a status code plus a message in the caller's buffer.
// An exception that escaped an extern "C" function would abort the JVM.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/failure.h"

namespace fdl {

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

}  // namespace fdl
