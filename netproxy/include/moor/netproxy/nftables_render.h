#pragma once

#include <cstdint>
#include <string>

#include "moor/common/status.h"
#include "moor/netproxy/service_table.h"

namespace moor::netproxy {

struct NftablesOptions {
  std::string table = "moor";            // `table ip <table>`; owned entirely by the proxy
  std::uint32_t masquerade_mark = 0x4000;  // packet mark bit: "masquerade in postrouting"
};

// kInvalidArgument unless the table name is a plain nftables identifier (a letter, then up to
// 63 letters, digits, '_' or '-') and the mark is a single bit.
Status ValidateNftablesOptions(const NftablesOptions& options);

// An `nft -f` script that, as ONE transaction, replaces `table ip <table>` with the rules for
// `table`: creates the table if missing, deletes it, and defines it afresh, so applying the
// script is atomic and idempotent. Inside the table:
// - map `service-ips`: ClusterIP . l4proto . port -> goto the service port's chain, consulted
//   from `nat-prerouting` (hook prerouting, priority dstnat) and `nat-output` (hook output,
//   priority -100, the host's own connections);
// - one chain per service port with ready backends, choosing one with `numgen random mod N`,
//   and one chain per backend that marks a pod's packets to itself (hairpin) for masquerade
//   and DNATs to ip:port;
// - `nat-postrouting` (hook postrouting, priority srcnat) masquerades marked packets;
// - map `no-endpoint-services` for service ports without a ready backend, consulted from the
//   `filter-output` and `filter-forward` chains (priority -110, before DNAT): TCP gets a reset,
//   others ICMP port-unreachable, so clients see "connection refused" at once;
// - set `cluster-ips`: a new connection still addressed to a ClusterIP after DNAT (a port the
//   Service does not have) is rejected the same way (`filter-output-post-dnat`, priority -90,
//   and `filter-forward`), so no such packet goes out onto the bridge;
// - node ports (ServicePort::node_port): map `node-ports` (l4proto . port -> goto the same
//   service port chain), consulted from `nat-prerouting` and `nat-output` only for packets to a
//   local address outside 127.0.0.0/8 (as kube-proxy's nftables mode, node ports are not served
//   on loopback); the backend chains mark such packets (`fib daddr type local`) for masquerade
//   so replies come back through this node; map `no-endpoint-node-ports` rejects node ports
//   without a ready backend from `filter-input` (priority -110) and `filter-output`. The first
//   entry in table order keeps a node port two entries claim.
// Chain names come from the Service (namespace, name, port name or number, protocol),
// sanitised to [a-z0-9-], capped in length and made unique with a hash. Pure function.
std::string RenderNftables(const ServiceTable& table, const NftablesOptions& options);

// The script that deletes `table ip <table>` if present (and succeeds if it is not).
std::string RenderNftablesRemoval(const NftablesOptions& options);

}  // namespace moor::netproxy
