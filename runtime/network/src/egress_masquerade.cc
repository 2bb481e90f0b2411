#include "egress_masquerade.h"

#include "moor/common/nft.h"

namespace moor::runtime {

std::string RenderEgressTable(const EgressRule& r) {
  return NftReplaceTablePrefix(r.table) + "table ip " + r.table +
         " {\n"
         "  chain postrouting {\n"
         "    type nat hook postrouting priority srcnat; policy accept;\n"
         "    ip saddr " + r.pod_subnet + " ip daddr != { " + r.cluster_cidr + ", " + r.service_cidr + " } oifname != \"" +
         r.bridge + "\" masquerade\n"
         "  }\n"
         "}\n";
}

}  // namespace moor::runtime
