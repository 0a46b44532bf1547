#include "abi/api_guard.h"

#include <c10/util/Exception.h>

#include <cstring>
#include <new>

namespace fdl {

void write_message(char* buf, size_t cap, const std::string& message) noexcept {
  if (buf == nullptr || cap == 0) return;
  size_t n = message.size();
  if (n < cap) {
    std::memcpy(buf, message.data(), n);
    buf[n] = '\0';
    return;
  }
  const char ellipsis[] = "...";
  size_t keep = cap > sizeof(ellipsis) ? cap - sizeof(ellipsis) : 0;
  std::memcpy(buf, message.data(), keep);
  std::memcpy(buf + keep, ellipsis, cap - keep - 1);
  buf[cap - 1] = '\0';
}

namespace {
bool mentions_out_of_memory(const std::string& m) {
  // CUDA allocation failures arrive as c10::OutOfMemoryError; the CPU allocator's as a plain c10::Error.
  return m.find("not enough memory") != std::string::npos || m.find("out of memory") != std::string::npos ||
         m.find("can't allocate") != std::string::npos;
}
}  // namespace

int32_t report_current_exception(char* err, size_t err_cap) noexcept {
  int32_t code = FDL_ERR_INTERNAL;
  try {
    std::string message;
    try {
      throw;
    } catch (const Failure& e) {
      code = e.code;
      message = e.what();
    } catch (const c10::OutOfMemoryError& e) {
      message = e.what_without_backtrace();
      code = FDL_ERR_OUT_OF_MEMORY;
    } catch (const c10::Error& e) {
      message = e.what_without_backtrace();
      code = mentions_out_of_memory(message) ? FDL_ERR_OUT_OF_MEMORY : FDL_ERR_TORCH;
    } catch (const std::bad_alloc& e) {
      code = FDL_ERR_OUT_OF_MEMORY;
      message = std::string("out of memory: ") + e.what();
    } catch (const std::exception& e) {
      message = std::string("unexpected C++ exception: ") + e.what();
    } catch (...) {
      message = "unexpected non-standard C++ exception";
    }
    write_message(err, err_cap, message);
  } catch (...) {
    // Building the message itself failed (no memory left): the code alone must do.
    write_message(err, err_cap, "error while reporting an error (out of memory?)");
  }
  return code;
}

}  // namespace fdl
