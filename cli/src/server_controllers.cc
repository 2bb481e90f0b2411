#include "server_controllers.h"

namespace moor::cli {

ServerControllers::~ServerControllers() { Stop(); }

void ServerControllers::Stop() {
  if (namespaces_) namespaces_->Stop();
  if (endpoints_) endpoints_->Stop();
  if (service_ips_) service_ips_->Stop();
}

StatusOr<std::unique_ptr<ServerControllers>> ServerControllers::Start(const ServerConfig& config, store::Store& store) {
  std::unique_ptr<ServerControllers> controllers(new ServerControllers());
  reconciler::ServiceIPAllocatorOptions ip_options;
  ip_options.store = &store;
  ip_options.service_cidr = config.service_cidr;
  ip_options.reserved = {config.ServiceAddress(1), config.ServiceAddress(10)};
  ip_options.node_port_range = config.service_node_port_range;
  MOOR_ASSIGN_OR_RETURN(controllers->service_ips_, reconciler::ServiceIPAllocator::Start(ip_options));

  reconciler::EndpointsControllerOptions endpoints_options;
  endpoints_options.store = &store;
  MOOR_ASSIGN_OR_RETURN(controllers->endpoints_, reconciler::EndpointsController::Start(endpoints_options));

  reconciler::NamespaceControllerOptions namespace_options;
  namespace_options.store = &store;
  MOOR_ASSIGN_OR_RETURN(controllers->namespaces_, reconciler::NamespaceController::Start(namespace_options));
  return controllers;
}

}  // namespace moor::cli
