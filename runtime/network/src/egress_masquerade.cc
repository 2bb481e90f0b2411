#include "egress_masquerade.h"

namespace moor::runtime {

std::string RenderEgressTable(const EgressRule& r) {
  return RenderEgressRemoval(r.table) + "table ip " + r.table +
         " {\n"
         "  chain postrouting {\n"
         "    type nat hook postrouting priority srcnat; policy accept;\n"
         "    ip saddr " + r.pod_subnet + " ip daddr != { " + r.cluster_cidr + ", " + r.service_cidr + " } oifname != \"" +
         r.bridge + "\" masquerade\n"
         "  }\n"
         "}\n";
}

std::string RenderEgressRemoval(const std::string& table) {
  return "table ip " + table + " {}\ndelete table ip " + table + "\n";
}

Status ApplyNftScript(CommandRunner& runner, const std::string& table, const std::string& script) {
  CommandSpec spec;
  spec.argv = {"nft", "-f", "-"};
  spec.input = script;
  spec.timeout = std::chrono::seconds(60);
  auto ran = RunChecked(runner, spec);
  if (!ran.ok()) return ran.status().WithContext("programming nftables table ip " + table);
  return Status::Ok();
}

}  // namespace moor::runtime
