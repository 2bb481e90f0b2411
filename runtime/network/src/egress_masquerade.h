#pragma once

#include <string>

namespace moor::runtime {

// Pod egress: one nftables table `ip <table>` with a NAT postrouting rule that masquerades what
// the pods of this node (pod_subnet) send to anywhere outside the pod and service ranges and not
// back onto their own bridge, so replies from other networks find their way back (what the CNI
// bridge plugin's ipMasq does, once per node instead of per pod with iptables).
struct EgressRule {
  std::string table;         // "<name_prefix>-egress"
  std::string pod_subnet;    // "10.42.0.0/24"
  std::string cluster_cidr;  // "10.42.0.0/16": never masqueraded
  std::string service_cidr;  // "10.43.0.0/16": never masqueraded
  std::string bridge;        // "moor0"
};

// The `nft -f` script that replaces the table in one transaction (it may not exist yet). Run it
// with RunNftScript (moor/common/nft.h); NftReplaceTablePrefix alone deletes the table.
std::string RenderEgressTable(const EgressRule& rule);

}  // namespace moor::runtime
