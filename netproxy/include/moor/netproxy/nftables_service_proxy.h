#pragma once

#include <memory>
#include <string>

#include "moor/common/command.h"
#include "moor/common/status.h"
#include "moor/netproxy/nftables_render.h"
#include "moor/netproxy/service_proxy.h"

namespace moor::netproxy {

struct NftablesServiceProxyOptions {
  NftablesOptions nftables;              // table name ("moor") and masquerade mark
  std::string bridge = "cni0";           // the pods' bridge (the CNI bridge of this node)
  std::string service_cidr = "10.43.0.0/16";
  int route_metric = 0;                  // metric of the ClusterIP /32 routes; marks them as ours
  CommandRunner* runner = nullptr;       // runs `nft`, `ip` and `conntrack`; nullptr: SystemCommandRunner()
};

// The real ServiceProxy: one `nft -f -` transaction replaces `table ip <table>`
// (RenderNftables), then the ClusterIP host routes are reconciled.
//
// Host routes: the host's `unreachable <service CIDR>` route makes a local connect() to a
// ClusterIP fail before netfilter sees the packet, so for every ClusterIP in the table inside
// the service CIDR the proxy keeps `<ip>/32 dev <bridge> src <bridge address> metric
// <route_metric>` in table main. It adds missing ones and deletes stale ones, touching only /32
// routes inside the service CIDR on that bridge with that metric — never the unreachable route.
// If the bridge does not exist yet (or has no IPv4 address), routes are skipped and added by a
// later Apply. A ClusterIP without a rule thus goes at most onto our own bridge.
//
// UDP flows: after a successful Apply that follows an earlier one, the UDP conntrack entries the
// change made stale are deleted with `conntrack -D` (see StaleUdpFlows in stale_udp_flows.h:
// flows to a backend that left a port, and refused flows to a port that now has a backend). A
// failed delete is logged, not returned (the rules are in place; old flows then idle out). The
// first Apply after start deletes nothing (the previous table is not known).
//
// Errors: kInvalidArgument from Create for bad options; kUnavailable from Apply/Remove when
// `nft` or `ip` fails (message names the command and its first line of stderr).
StatusOr<std::unique_ptr<ServiceProxy>> CreateNftablesServiceProxy(const NftablesServiceProxyOptions& options);

}  // namespace moor::netproxy
