#pragma once

#include <compare>
#include <string>
#include <vector>

#include "moor/common/command.h"
#include "moor/common/status.h"
#include "moor/netproxy/service_table.h"

namespace moor::netproxy {

// One set of UDP conntrack entries to delete: `conntrack -D -p udp` with these filters (empty /
// 0 fields are not filtered on).
struct UdpFlowFilter {
  std::string orig_dst;   // the ClusterIP a client sent to; "" for node ports (any local address)
  int orig_dst_port = 0;  // the service port, or the node port
  std::string reply_src;  // the backend the flow was sent to; "" = any (flows that were refused)
  int reply_src_port = 0;
  auto operator<=>(const UdpFlowFilter&) const = default;
};

// UDP has no connection to end, so a client that keeps its source port keeps its conntrack
// entry, and with it its old destination, until the entry idles out (30 to 120 s). What
// kube-proxy deletes when a table changes, and so does this:
// - a backend that left a UDP service port: the flows DNATed to it, for the ClusterIP port and
//   for the node port (if the port had one);
// - a UDP service port that had no ready backend and now has one: every flow to it (they were
//   refused, and their entries carry no DNAT).
// Pure; in a deterministic order.
std::vector<UdpFlowFilter> StaleUdpFlows(const ServiceTable& before, const ServiceTable& after);

// `conntrack -D -p udp ...` for `filter`.
std::vector<std::string> ConntrackDeleteArgv(const UdpFlowFilter& filter);

// Runs ConntrackDeleteArgv for each filter through `runner`. conntrack exits 1 when nothing
// matched; that is success. kUnavailable (naming the first failed command) otherwise; the
// remaining filters are still tried.
Status DeleteUdpFlows(CommandRunner& runner, const std::vector<UdpFlowFilter>& filters);

}  // namespace moor::netproxy
