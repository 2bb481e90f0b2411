#include "moor/netproxy/nftables_service_proxy.h"

#include <mutex>
#include <optional>
#include <set>

#include "cluster_ip_routes.h"
#include "moor/netproxy/stale_udp_flows.h"
#include "moor/common/ipv4_cidr.h"
#include "moor/common/log.h"
#include "moor/common/nft.h"

namespace moor::netproxy {

namespace {

class NftablesServiceProxy final : public ServiceProxy {
 public:
  NftablesServiceProxy(const NftablesServiceProxyOptions& options, CommandRunner& runner, Ipv4Cidr service_cidr)
      : options_(options), runner_(runner), routes_(runner, options.bridge, service_cidr, options.route_metric) {}

  Status Apply(const ServiceTable& table) override {
    std::lock_guard<std::mutex> lock(mu_);
    MOOR_RETURN_IF_ERROR(RunNftScript(runner_, options_.nftables.table, RenderNftables(table, options_.nftables)));
    if (applied_) {
      // Not an Apply error: the rules are right; a failed delete only lets old UDP flows idle out.
      Status flushed = DeleteUdpFlows(runner_, StaleUdpFlows(*applied_, table));
      if (!flushed.ok()) LogWarn("deleting stale UDP conntrack entries failed", {{"error", flushed.ToString()}});
    }
    applied_ = table;
    std::set<std::string> ips;
    for (const ServicePort& p : table.ports) ips.insert(p.cluster_ip);
    return routes_.Sync(ips).WithContext("ClusterIP routes on " + options_.bridge);
  }

  Status Remove() override {
    std::lock_guard<std::mutex> lock(mu_);
    MOOR_RETURN_IF_ERROR(RunNftScript(runner_, options_.nftables.table, RenderNftablesRemoval(options_.nftables)));
    applied_.reset();
    return routes_.Sync({}).WithContext("ClusterIP routes on " + options_.bridge);
  }

 private:
  const NftablesServiceProxyOptions options_;
  CommandRunner& runner_;
  std::mutex mu_;
  ClusterIpRoutes routes_;  // GUARDED_BY(mu_)
  std::optional<ServiceTable> applied_;  // GUARDED_BY(mu_); the table in the kernel since our last Apply
};

}  // namespace

StatusOr<std::unique_ptr<ServiceProxy>> CreateNftablesServiceProxy(const NftablesServiceProxyOptions& options) {
  MOOR_RETURN_IF_ERROR(ValidateNftablesOptions(options.nftables));
  MOOR_ASSIGN_OR_RETURN(Ipv4Cidr cidr, Ipv4Cidr::Parse(options.service_cidr));
  if (options.bridge.empty() || options.bridge.size() > 15) {
    return InvalidArgumentError("bridge name \"" + options.bridge + "\" must have 1 to 15 characters");
  }
  if (options.route_metric < 0) return InvalidArgumentError("route metric must not be negative");
  CommandRunner& runner = options.runner != nullptr ? *options.runner : SystemCommandRunner();
  return std::unique_ptr<ServiceProxy>(std::make_unique<NftablesServiceProxy>(options, runner, cidr));
}

}  // namespace moor::netproxy
