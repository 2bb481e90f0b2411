#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cni_plugin_runner.h"
#include "forward_accept.h"
#include "host_routes.h"
#include "netns_manager.h"
#include "sandbox_records.h"
#include "moor/runtime/cni_network.h"

namespace moor::runtime {

// PodNetwork over CNI plugins; see cni_network.h for the contract, the files it keeps and the
// locking. Options must have passed cni::ValidateOptions.
class CniNetwork final : public PodNetwork {
 public:
  // `netns_host` nullptr: SystemNetnsHost() (tests pass a fake together with a fake runner).
  explicit CniNetwork(CniNetworkOptions options, NetnsHost* netns_host = nullptr);

  Status Init() override;
  StatusOr<SandboxNetwork> Setup(const std::string& sandbox_id, const std::vector<PortMapping>& ports) override;
  StatusOr<SandboxNetwork> Inspect(const std::string& sandbox_id) override;
  Status Teardown(const std::string& sandbox_id) override;
  StatusOr<std::vector<std::string>> List() override;

  // RemoveCniHostState() on this object's options.
  Status RemoveHostState();

 private:
  std::mutex& LockFor(const std::string& sandbox_id);
  std::string EgressTable() const;  // the nftables table of pod egress
  ForwardAcceptRule ForwardRule() const;  // the iptables FORWARD accept rules
  std::string NetnsName(const std::string& sandbox_id) const { return options_.name_prefix + "-" + sandbox_id; }
  // Locks host_mu_ unless the call may run beside others: once a set-up succeeded (the
  // bridge, its address and the netns mount exist) the bridge and host-local plugins only touch
  // per-sandbox state; portmap (host ports) still goes one at a time.
  std::unique_lock<std::mutex> HostLock(bool has_ports);
  // Creates the namespace and runs the ADDs, filling `record` as it goes. Holds HostLock.
  Status SetupSteps(SandboxRecord& record);
  // DELs, namespace removal, record removal; with `record` nullopt, uses the current
  // configuration (for leftovers without a record). Holds HostLock.
  Status TeardownSteps(const std::string& sandbox_id, const std::optional<SandboxRecord>& record);

  const CniNetworkOptions options_;
  CommandRunner& runner_;
  NetnsManager netns_;
  CniPluginRunner plugins_;
  SandboxRecords records_;
  HostRoutes routes_;
  const nlohmann::json conflist_;
  const nlohmann::json conflist_without_ports_;  // conflist_ minus portmap: sandboxes with no hostPort

  std::mutex init_mu_;                    // serializes Init
  std::atomic<bool> initialized_{false};  // Init succeeded on this object
  std::mutex host_mu_;                    // serializes namespace and plugin calls (see HostLock)
  std::atomic<bool> host_ready_{false};   // a sandbox was set up: shared host state exists
  std::array<std::mutex, 64> id_mu_;      // per sandbox id (striped); taken before host_mu_
};

}  // namespace moor::runtime
