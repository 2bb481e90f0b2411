#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"
#include "moor/runtime/cni_network.h"
#include "moor/runtime/pod_network.h"

// Pure functions that turn CniNetworkOptions into the CNI configuration moor writes and into
// the stdin / environment of each plugin call (CNI spec 1.0.0, "Section 4: Plugin Delegation"
// and "Section 5: Result Types"). No I/O here; CniNetwork does that.
namespace moor::runtime::cni {

inline constexpr const char* kCniVersion = "1.0.0";

// kInvalidArgument naming the bad field: name_prefix (1..20 of [a-z0-9-], starting with a letter
// or digit), bridge (1..15 of [A-Za-z0-9_.-]), the three CIDRs (IPv4, canonical), pod_subnet
// inside cluster_cidr with room for a gateway and a pod (prefix length <= 30), service_cidr not
// overlapping cluster_cidr, state_dir / cni_bin_dir / netns_dir absolute, mtu in 576..65535.
Status ValidateOptions(const CniNetworkOptions& options);

// True for ids usable in names: 1..64 of [A-Za-z0-9_.-], not starting with '.' or '-'.
bool IsValidSandboxId(const std::string& sandbox_id);

// The pod network conflist, named options.name_prefix:
//   bridge (isGateway, no ipMasq, hairpinMode, mtu, host-local IPAM over pod_subnet with its
//   leases under <state_dir>/ipam and routes to cluster_cidr and service_cidr via the bridge)
//   then portmap (capabilities.portMappings, snat).
// The route to service_cidr lets pods reach ClusterIP addresses through the host; neither range
// leaves the machine because Init() makes both unreachable on the host.
nlohmann::json BuildConflist(const CniNetworkOptions& options);

// Where Init() writes the conflist and host-local keeps its leases.
std::string ConflistPath(const CniNetworkOptions& options);
std::string IpamDataDir(const CniNetworkOptions& options);

// The JSON a plugin reads on stdin for plugin `index` of `conflist`: the plugin's own object,
// plus "name" and "cniVersion" from the list, "prevResult" if `prev_result` is not null, and
// "runtimeConfig" holding the capabilities the plugin declares (only "portMappings" is known;
// a plugin that does not declare it gets no runtimeConfig). kInvalidArgument if the list is
// malformed or `index` is out of range.
StatusOr<nlohmann::json> PluginInput(const nlohmann::json& conflist, std::size_t index,
                                     const nlohmann::json& prev_result, const std::vector<PortMapping>& ports);

// Checks and normalizes port mappings for portmap: protocol lower-cased ("TCP" -> "tcp", empty ->
// "tcp") and one of tcp / udp / sctp, ports in 1..65535, host_ip empty or IPv4, no two mappings
// of the same host port, protocol and host IP. kInvalidArgument naming the mapping otherwise.
StatusOr<std::vector<PortMapping>> NormalizePortMappings(const std::vector<PortMapping>& ports);

// CNI "portMappings" capability arguments: [{"hostPort","containerPort","protocol","hostIP"?}].
nlohmann::json PortMappingsJson(const std::vector<PortMapping>& ports);
StatusOr<std::vector<PortMapping>> PortMappingsFromJson(const nlohmann::json& json);

// The environment of one plugin call. `netns` may be empty for DEL (namespace already gone).
std::map<std::string, std::string> PluginEnvironment(const std::string& command, const std::string& container_id,
                                                     const std::string& netns, const std::string& ifname,
                                                     const std::string& cni_bin_dir);

}  // namespace moor::runtime::cni
