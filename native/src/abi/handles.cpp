#include "abi/handles.h"

#include <cstdio>
#include <mutex>
#include <unordered_map>

#include "abi/api_guard.h"

namespace fdl {
namespace {

std::mutex registry_mutex;

struct LiveHandle {
  HandleKind kind;
  torch::nn::Module* module;
};

std::unordered_map<const void*, LiveHandle>& registry() {
  static auto* live = new std::unordered_map<const void*, LiveHandle>();  // never destroyed: safe at exit
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
    case HandleKind::TextEncoder: return "fdl_text_encoder";
    case HandleKind::Ecd: return "fdl_ecd";
    case HandleKind::ImageEncoder: return "fdl_image_encoder";
    case HandleKind::ProcessGroup: return "fdl_process_group";
    case HandleKind::DataParallel: return "fdl_data_parallel";
  }
  return "unknown";
}

void register_handle(const void* handle, HandleKind kind, torch::nn::Module* module) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry()[handle] = LiveHandle{kind, module};
}

torch::nn::Module& module_of_handle(const void* handle, const char* argument) {
  std::string name = std::string("argument '") + argument + "'";
  if (handle == nullptr) fail(FDL_ERR_INVALID_HANDLE, name + " is a NULL model handle");
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().find(handle);
  if (it == registry().end()) {
    fail(FDL_ERR_INVALID_HANDLE, name + " (" + describe(handle) +
                                     ") is not a live model handle: it was freed already or never created by this library");
  }
  if (it->second.module == nullptr) {
    fail(FDL_ERR_INVALID_HANDLE, name + " is an " + handle_kind_name(it->second.kind) + ", not a model handle");
  }
  return *it->second.module;
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
  if (it->second.kind != expected) {
    fail(FDL_ERR_INVALID_HANDLE, name + " (" + describe(handle) + ") is an " + handle_kind_name(it->second.kind) +
                                     ", expected an " + handle_kind_name(expected));
  }
}

bool unregister_handle(const void* handle, HandleKind expected) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().find(handle);
  if (it == registry().end() || it->second.kind != expected) return false;
  registry().erase(it);
  return true;
}

}  // namespace fdl
