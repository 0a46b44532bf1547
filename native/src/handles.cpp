#include "handles.h"

#include <cstdio>
#include <mutex>
#include <unordered_map>

#include "api_guard.h"

namespace fdl {
namespace {

std::mutex registry_mutex;

std::unordered_map<const void*, HandleKind>& registry() {
  static auto* live = new std::unordered_map<const void*, HandleKind>();  // never destroyed: safe at exit
  return *live;
}

std::string describe(const void* handle) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%p", handle);
  return buf;
}

}  // namespace

const char* handle_kind_name(HandleKind kind) {
  switch (kind) {
    case HandleKind::Tensor: return "fdl_tensor";
    case HandleKind::Mlp: return "fdl_mlp";
  }
  return "unknown";
}

void register_handle(const void* handle, HandleKind kind) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry()[handle] = kind;
}

void check_handle(const void* handle, HandleKind expected, const char* argument) {
  std::string name = std::string("argument '") + argument + "'";
  if (handle == nullptr) fail(FDL_ERR_INVALID_HANDLE, name + " is a NULL " + handle_kind_name(expected));
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().find(handle);
  if (it == registry().end()) {
    fail(FDL_ERR_INVALID_HANDLE, name + " (" + describe(handle) + ") is not a live " + handle_kind_name(expected) +
                                     ": it was freed already or never created by this library");
  }
  if (it->second != expected) {
    fail(FDL_ERR_INVALID_HANDLE, name + " (" + describe(handle) + ") is an " + handle_kind_name(it->second) +
                                     ", expected an " + handle_kind_name(expected));
  }
}

bool unregister_handle(const void* handle, HandleKind expected) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().find(handle);
  if (it == registry().end() || it->second != expected) return false;
  registry().erase(it);
  return true;
}

}  // namespace fdl
