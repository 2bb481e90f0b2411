#pragma once

#include <set>
#include <string>
#include <vector>

#include "moor/common/command.h"
#include "moor/common/ipv4_cidr.h"
#include "moor/common/status.h"

namespace moor::netproxy {

// The /32 host routes that let the host itself reach ClusterIPs through the pods' bridge (see
// nftables_service_proxy.h). Owns exactly the routes `<ip>/32 dev <bridge> metric <metric>`
// in table main with <ip> inside `service_cidr`. Not thread-safe.
class ClusterIpRoutes {
 public:
  ClusterIpRoutes(CommandRunner& runner, std::string bridge, Ipv4Cidr service_cidr, int metric)
      : runner_(runner), bridge_(std::move(bridge)), service_cidr_(service_cidr), metric_(metric) {}

  // Makes our routes equal to `ips` (those inside the service CIDR; others are ignored). OK and
  // nothing done when the bridge does not exist or has no IPv4 address yet.
  Status Sync(const std::set<std::string>& ips);

 private:
  struct Route {
    std::string ip;
    std::string src;
  };
  // The bridge's first IPv4 address; "" if the bridge or its address does not exist.
  StatusOr<std::string> BridgeAddress();
  StatusOr<std::vector<Route>> OurRoutes();
  StatusOr<CommandResult> Ip(const std::vector<std::string>& args);

  CommandRunner& runner_;
  std::string bridge_;
  Ipv4Cidr service_cidr_;
  int metric_;
};

}  // namespace moor::netproxy
