#include "moor/runtime/cni_network.h"

#include "cni_network_impl.h"
#include "moor/runtime/cni/config.h"

namespace moor::runtime {

StatusOr<std::unique_ptr<PodNetwork>> CreateCniNetwork(const CniNetworkOptions& options) {
  MOOR_RETURN_IF_ERROR(cni::ValidateOptions(options));
  return std::unique_ptr<PodNetwork>(std::make_unique<CniNetwork>(options));
}

Status RemoveCniHostState(const CniNetworkOptions& options) {
  MOOR_RETURN_IF_ERROR(cni::ValidateOptions(options));
  CniNetwork network(options);
  return network.RemoveHostState();
}

}  // namespace moor::runtime
