#pragma once

#include <memory>

#include "moor/api/node_services.h"
#include "moor/netproxy/dns/cluster_dns.h"
#include "moor/netproxy/service_proxy.h"
#include "moor/netproxy/service_proxy_controller.h"
#include "moor/reconciler/pod_binder.h"
#include "moor/runtime/container_runtime.h"
#include "moor/runtime/image_store.h"
#include "moor/runtime/node_agent.h"
#include "moor/runtime/pod_network.h"
#include "moor/store/store.h"
#include "moor/store/store_cluster_client.h"
#include "server_config.h"

namespace moor::cli {

// Everything `moor server` runs for this host's node: the image store, the pod network, the
// runc runtime, the node agent, the pod binder, the service proxy, the cluster DNS, and the adapters the API
// server uses for logs and images. Stop() stops the agent, binder, proxy controller and DNS;
// containers keep running, the service rules and the DNS address's route stay in place (as
// kube-proxy leaves its rules), so traffic keeps flowing through a restart or upgrade.
class NodeRuntime {
 public:
  static StatusOr<std::unique_ptr<NodeRuntime>> Start(const ServerConfig& config, store::Store& store);
  ~NodeRuntime();
  void Stop();

  api::PodLogSource* logs() { return logs_.get(); }
  api::ImageService* images() { return image_service_.get(); }
  const std::string& node_name() const { return agent_->node_name(); }

 private:
  NodeRuntime() = default;

  std::unique_ptr<store::StoreClusterClient> cluster_;
  std::unique_ptr<runtime::ImageStore> image_store_;
  std::unique_ptr<runtime::PodNetwork> network_;
  std::unique_ptr<runtime::ContainerRuntime> containers_;
  std::unique_ptr<runtime::NodeAgent> agent_;
  std::unique_ptr<reconciler::PodBinder> binder_;
  std::unique_ptr<netproxy::ServiceProxy> service_proxy_;
  std::unique_ptr<netproxy::ServiceProxyController> proxy_controller_;
  std::unique_ptr<netproxy::dns::ClusterDns> dns_;
  std::unique_ptr<api::PodLogSource> logs_;
  std::unique_ptr<api::ImageService> image_service_;
};

}  // namespace moor::cli
