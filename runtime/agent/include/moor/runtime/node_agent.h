#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "moor/common/clock.h"
#include "moor/common/status.h"
#include "moor/store/cluster_client.h"
#include "moor/runtime/container_runtime.h"
#include "moor/runtime/image_store.h"
#include "moor/runtime/pod_network.h"

namespace moor::runtime {

struct NodeAgentOptions {
  std::string node_name;                 // "" = this host's name
  store::ClusterClient* cluster = nullptr;  // required, not owned
  ContainerRuntime* runtime = nullptr;   // required, not owned
  PodNetwork* network = nullptr;         // required, not owned
  ImageStore* images = nullptr;          // required, not owned
  Clock* clock = nullptr;                // nullptr: SystemClock()
  std::string data_dir;                  // statvfs for the Node's ephemeral-storage
  std::string pods_dir;                  // per-pod volumes and files; required
  std::string logs_dir;                  // container logs (<ns>_<pod>_<uid>/<container>/<n>.log); required
  std::string pvc_dir;                   // persistentVolumeClaim directories; required
  std::string pod_cidr = "10.42.0.0/24";
  std::string cluster_dns = "10.43.0.10";
  std::string cluster_domain = "cluster.local";
  std::string runtime_version = "runc";  // Node status containerRuntimeVersion
  std::string runc_root;                 // published as Node annotation moor.dev/runc-root
  int workers = 4;
  std::chrono::seconds heartbeat{20};
  std::chrono::seconds resync{30};
};

// Where to find a container's log.
struct ContainerLogRef {
  std::string path;         // the CRI log file
  bool running = false;     // more may be appended
  std::string container_id;
};

// The node agent: registers this host's Node, runs the pods bound to it (sandbox, volumes,
// images, containers, probes, restarts), writes their status, and tears down what is no longer
// wanted. It talks to the cluster only through ClusterClient. Containers outlive the agent:
// Stop() leaves them running, and Start() adopts what is running (no duplicates, no restarts).
class NodeAgent {
 public:
  static StatusOr<std::unique_ptr<NodeAgent>> Start(NodeAgentOptions options);
  virtual ~NodeAgent() = default;
  // Stops the agent's threads; pods keep running. Idempotent.
  virtual void Stop() = 0;
  virtual const std::string& node_name() const = 0;
  // The log of a pod's container (its current instance, or with `previous` the one before).
  // kNotFound / kInvalidArgument / kFailedPrecondition as api::PodLogSource documents.
  virtual StatusOr<ContainerLogRef> LogFor(const std::string& ns, const std::string& pod, const std::string& container,
                                           bool previous) = 0;
  // Ids of images used by containers on this node (kept by image garbage collection).
  virtual std::set<std::string> ImagesInUse() = 0;
};

}  // namespace moor::runtime
