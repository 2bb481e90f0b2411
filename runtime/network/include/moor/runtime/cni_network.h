#pragma once

#include <memory>
#include <string>

#include "moor/common/command.h"
#include "moor/runtime/pod_network.h"

namespace moor::runtime {

// PodNetwork over the reference CNI plugins (Debian's containernetworking-plugins): a conflist
// of bridge (+ host-local IPAM) and portmap, plus loopback, run as the CNI spec says (ADD / DEL /
// CHECK with prevResult chaining). Every name it creates carries `name_prefix`, so tests can use a
// unique prefix and leave nothing shared behind.
struct CniNetworkOptions {
  std::string name_prefix = "moor";        // netns "<prefix>-<id>", CNI network name "<prefix>"
  std::string bridge = "moor0";            // at most 15 characters
  std::string pod_subnet = "10.42.0.0/24"; // this node's slice of cluster_cidr
  std::string cluster_cidr = "10.42.0.0/16";
  std::string service_cidr = "10.43.0.0/16";
  std::string state_dir;                   // conflist, IPAM leases, per-sandbox results; required
  std::string cni_bin_dir = "/usr/lib/cni";
  std::string netns_dir = "/var/run/netns";
  int mtu = 1500;
  CommandRunner* runner = nullptr;         // nullptr: SystemCommandRunner()
};

StatusOr<std::unique_ptr<PodNetwork>> CreateCniNetwork(const CniNetworkOptions& options);

}  // namespace moor::runtime
