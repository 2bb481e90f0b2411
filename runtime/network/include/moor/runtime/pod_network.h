#pragma once

#include <string>
#include <vector>

#include "moor/common/status.h"

namespace moor::runtime {

struct PortMapping {
  int host_port = 0;
  int container_port = 0;
  std::string protocol = "tcp";  // "tcp" | "udp" | "sctp"
  std::string host_ip;           // empty: all addresses
};

// The network side of one pod sandbox.
struct SandboxNetwork {
  std::string netns_path;  // "/var/run/netns/<prefix>-<sandbox id>", joined by every container
  std::string ip;          // "10.42.0.7"
  std::string gateway;     // "10.42.0.1"
};

// Pod networking on this node. Implementations are idempotent: Setup of a sandbox that is
// already set up returns its network unchanged; Teardown of a missing one succeeds.
class PodNetwork {
 public:
  virtual ~PodNetwork() = default;

  // Host preparation, once before any pod starts: `unreachable` routes for the whole pod and
  // service ranges (so no packet for them can ever leave the machine), the bridge's config.
  virtual Status Init() = 0;

  // Creates the network namespace for `sandbox_id` (a short hex id), brings up lo and eth0 with an
  // address from this node's pod subnet, and maps host ports.
  virtual StatusOr<SandboxNetwork> Setup(const std::string& sandbox_id, const std::vector<PortMapping>& ports) = 0;

  // The network of a sandbox set up earlier (also by a previous daemon process): kNotFound if
  // its namespace is gone.
  virtual StatusOr<SandboxNetwork> Inspect(const std::string& sandbox_id) = 0;

  // Removes ports, veth, the IP lease and the namespace.
  virtual Status Teardown(const std::string& sandbox_id) = 0;

  // Ids of every sandbox this network has set up and not torn down (for clean-up of leftovers).
  virtual StatusOr<std::vector<std::string>> List() = 0;
};

}  // namespace moor::runtime
