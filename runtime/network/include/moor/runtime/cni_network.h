#pragma once

#include <memory>
#include <string>

#include "moor/common/command.h"
#include "moor/runtime/pod_network.h"

namespace moor::runtime {

// PodNetwork over the reference CNI plugins (Debian's containernetworking-plugins): a conflist
// of bridge (+ host-local IPAM) and portmap, run as the CNI spec says (ADD / DEL with prevResult
// chaining). The namespaces are made in-process, with lo brought up as the loopback plugin would
// (a plugin process less per pod). Every name it creates carries `name_prefix`, so tests can use a
// unique prefix and leave nothing shared behind.
//
// Files under state_dir (all of them survive a daemon restart; a new object on the same
// state_dir sees the sandboxes an earlier one set up):
//   <name_prefix>.conflist           the pod network (bridge + portmap), written by Init()
//   ipam/<name_prefix>/              host-local leases
//   sandboxes/<sandbox id>.json      per sandbox: the conflists used, port mappings, ADD results
//   routes-added.json                the unreachable routes Init() added itself
//
// Host state outside state_dir: the netns <netns_dir>/<name_prefix>-<sandbox id>, the bridge,
// one veth per sandbox, portmap's iptables chains (per sandbox CNI-DN-*, removed by DEL; the
// shared CNI-HOSTPORT-* chains stay, as with any CNI runtime), route_localnet=1 on the bridge
// (set by portmap so that 127.0.0.1:<hostPort> works), ip_forward=1 (set by bridge), and the
// unreachable routes; with pod_egress, the nftables table `ip <name_prefix>-egress`; with
// pod_forward_accept, two rules in iptables' filter FORWARD chain.
//
// Thread safety: all methods may be called from several threads. Calls for the same sandbox id
// are serialized. Until the first sandbox is set up, and for sandboxes with host ports, plugin
// calls are serialized across sandboxes (the 1.1.1 plugins create shared host state - the
// bridge and its address, portmap's iptables chains - without complete
// locking); once that state exists, sandboxes without host ports are set up and torn down in
// parallel (bridge veths and host-local leases are per sandbox; host-local locks its store).
struct CniNetworkOptions {
  std::string name_prefix = "moor";        // netns "<prefix>-<id>", CNI network name "<prefix>"
  std::string bridge = "moor0";            // at most 15 characters
  std::string pod_subnet = "10.42.0.0/24"; // this node's slice of cluster_cidr
  std::string cluster_cidr = "10.42.0.0/16";
  std::string service_cidr = "10.43.0.0/16";
  std::string state_dir;                   // conflist, IPAM leases, per-sandbox results; required
  std::string cni_bin_dir = "/usr/lib/cni";
  // Where the namespaces are bind-mounted. "/var/run/netns" or "/run/netns" (iproute2's): the
  // directory is made a shared mount point as `ip netns add` does, so unmounts reach other mount
  // namespaces and `ip netns exec` works. Any other directory is used as it is.
  std::string netns_dir = "/var/run/netns";
  int mtu = 1500;
  // Pod egress: pods get a default route through the bridge, and the table
  // `ip <name_prefix>-egress` masquerades what they send outside cluster_cidr and service_cidr
  // (Init() writes it, or deletes it when false; RemoveCniHostState() deletes it). Off: pods
  // reach only the pod and service ranges and this host.
  bool pod_egress = false;
  // Pod traffic through a host firewall that drops forwarded packets (Docker's FORWARD policy
  // DROP): Init() inserts two iptables rules at the top of the filter table's FORWARD chain that
  // accept what comes from and goes to pod_subnet (comment "moor <name_prefix> pods"), as
  // flannel does; false deletes them. RemoveCniHostState() deletes them.
  bool pod_forward_accept = false;
  // Metric of the `unreachable` routes Init() adds for cluster_cidr and service_cidr. Routes of
  // different metrics coexist, so tests that run in parallel each use their own metric and
  // RemoveCniHostState() never takes away a route another user still relies on. The daemon
  // keeps 0.
  int route_metric = 0;
  CommandRunner* runner = nullptr;         // nullptr: SystemCommandRunner()
};

// kInvalidArgument if the options are unusable (see cni::ValidateOptions: names, CIDRs,
// pod_subnet inside cluster_cidr, ...). Touches nothing on the host; Init() does.
StatusOr<std::unique_ptr<PodNetwork>> CreateCniNetwork(const CniNetworkOptions& options);

// Clean-up for tests and uninstall (the daemon never calls it): tears down every sandbox
// recorded in options.state_dir (as Teardown), deletes options.bridge, and deletes the
// unreachable routes that Init() recorded in routes-added.json (a route that was already there
// when Init() ran is never removed), and the egress table. Missing pieces are fine. The shared CNI-HOSTPORT-* iptables
// chains and the ip_forward sysctl are left alone: other CNI users may rely on them.
Status RemoveCniHostState(const CniNetworkOptions& options);

}  // namespace moor::runtime
