#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"

namespace moor::cli {

// `moor server` settings: built-in defaults (system paths), overridden by the config file,
// overridden by flags. See packaging/config.yaml for the documented file.
struct ServerConfig {
  std::filesystem::path data_dir = "/var/lib/moor";
  std::filesystem::path manifests;  // "" = <data_dir>/manifests
  std::string listen = "127.0.0.1:6443";
  std::string log_level = "info";
  bool strict = false;                          // unknown manifest fields are errors
  std::chrono::seconds resync_interval{300};    // full rescan of the watched folder
  // The node agent (runs the pods of this host).
  bool disable_agent = false;                   // store and API only: no containers run here
  std::string node_name;                        // "" = the host name
  std::string pod_subnet = "10.42.0.0/24";      // this node's slice of the pod range 10.42.0.0/16
  bool pod_egress = true;                       // pods reach other networks, masqueraded (as k3s)
  bool pod_forward_accept = true;               // iptables FORWARD accepts pod traffic (as flannel)
  std::string service_cidr = "10.43.0.0/16";    // ClusterIPs are allocated from it
  std::string service_node_port_range = "30000-32767";  // NodePorts are allocated from it
  // Where the cluster DNS sends names outside cluster.local ("ip" or "ip:port"). nullopt: the
  // nameservers of the host's /etc/resolv.conf; empty: nowhere (such names get SERVFAIL).
  std::optional<std::vector<std::string>> dns_upstreams;
  std::string bridge = "moor0";                 // the pods' Linux bridge
  std::string name_prefix = "moor";             // network namespaces and the cgroup parent
  int route_metric = 0;                         // metric of the unreachable safety routes (tests)
  nlohmann::json registries;                    // mirrors and credentials, k3s registries.yaml schema
  bool disable_default_registry_endpoint = false;  // mirrored registries only through their mirrors

  std::filesystem::path ManifestsDir() const { return manifests.empty() ? data_dir / "manifests" : manifests; }
  // The n-th address of service_cidr: 1 is kept for the `kubernetes` Service, 10 is the
  // cluster DNS (k3s's choices). service_cidr must be valid (LoadServerConfig checks it).
  std::string ServiceAddress(std::uint32_t n) const;
};

// Reads the YAML config file into `config` (keys present in the file override). Unknown keys
// and wrong types are errors naming the file, line and key.
Status LoadServerConfig(const std::filesystem::path& file, ServerConfig& config);

// "90s", "5m", "1h", "300" (seconds).
StatusOr<std::chrono::seconds> ParseDuration(const std::string& text);

}  // namespace moor::cli
