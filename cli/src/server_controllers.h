#pragma once

#include <memory>

#include "moor/common/status.h"
#include "moor/reconciler/endpoints_controller.h"
#include "moor/reconciler/namespace_controller.h"
#include "moor/reconciler/service_ip_allocator.h"
#include "moor/store/store.h"
#include "server_config.h"

namespace moor::cli {

// The cluster-wide controllers `moor server` runs whether or not this host runs pods (the
// kube-controller-manager part): ClusterIP and NodePort allocation, Endpoints, and the namespace
// controller (a deleted Namespace's content goes, then the Namespace). Stop() ends them; what
// they wrote stays in the store.
class ServerControllers {
 public:
  static StatusOr<std::unique_ptr<ServerControllers>> Start(const ServerConfig& config, store::Store& store);
  ~ServerControllers();
  void Stop();

 private:
  ServerControllers() = default;

  std::unique_ptr<reconciler::ServiceIPAllocator> service_ips_;
  std::unique_ptr<reconciler::EndpointsController> endpoints_;
  std::unique_ptr<reconciler::NamespaceController> namespaces_;
};

}  // namespace moor::cli
