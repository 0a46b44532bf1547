#include "distributed/process_group_factory.h"

#ifdef FIDELIO_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef FIDELIO_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>

#include "core/failure.h"
#include "distributed/process_group.h"

namespace fdl {
namespace {

#ifdef FIDELIO_WITH_GLOO
bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

// GLOO_SOCKET_IFNAME (as in PyTorch) names the interface; a loopback master keeps the whole group
// on loopback (one machine); otherwise Gloo binds to the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface != nullptr && *interface != '\0') {
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  }
  if (is_loopback(master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

}  // namespace

bool nccl_available() {
#ifdef FIDELIO_WITH_NCCL
  return true;
#else
  return false;
#endif
}

c10::intrusive_ptr<CollectiveBackend> make_collective_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                                              const ProcessGroupOptions& o) {
  if (o.nccl) {
#ifdef FIDELIO_WITH_NCCL
    auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
    nccl_options->timeout = o.timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, o.rank, o.world_size, nccl_options);
#else
    fail(FDL_ERR_UNSUPPORTED, "this LibTorch has no NCCL: use the Gloo backend (CPU), or build Fidelio against a "
                              "CUDA LibTorch (see README, Distributed training)");
#endif
  }
#ifdef FIDELIO_WITH_GLOO
  auto gloo_options = c10d::ProcessGroupGloo::Options::create(o.timeout);
  gloo_options->devices.push_back(gloo_device(o.master_addr));
  gloo_options->threads = 2;
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, o.rank, o.world_size, gloo_options);
#else
  fail(FDL_ERR_UNSUPPORTED, "this Fidelio build has no Gloo process group (its LibTorch came without gloo's "
                            "headers); rebuild with them (Debian: libgloo-dev) for data-parallel training on the CPU");
#endif
}

}  // namespace fdl
