#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "moor/common/clock.h"
#include "moor/manifests/object.h"

namespace moor::runtime {

// Facts about this host that the Node object reports.
struct HostFacts {
  std::string hostname;
  std::string internal_ip;     // first non-loopback IPv4 address of a physical-looking interface
  int cpus = 1;
  std::int64_t memory_bytes = 0;
  std::int64_t ephemeral_storage_bytes = 0;  // of the data dir's file system
  std::string kernel_version;
  std::string os_image;        // PRETTY_NAME of /etc/os-release
  std::string architecture = "amd64";
};

// Reads the facts from /proc, uname, statvfs(data_dir), /etc/os-release, getifaddrs.
HostFacts ReadHostFacts(const std::string& data_dir);

struct NodeDescription {
  std::string name;
  std::string pod_cidr;
  std::string runtime_version;  // "runc://1.1.5"
  std::map<std::string, std::string> annotations;
  int max_pods = 110;
};

// The Node object (metadata, spec.podCIDR) for first registration.
manifests::Object BuildNodeObject(const NodeDescription& node, const HostFacts& facts);

// Node status: capacity = allocatable (cpu, memory, pods, ephemeral-storage), Ready and the
// pressure conditions (heartbeat at `now`, lastTransitionTime kept from `previous`), addresses,
// nodeInfo.
manifests::Object BuildNodeStatus(const NodeDescription& node, const HostFacts& facts, const manifests::Object& previous,
                                  WallTime now);

}  // namespace moor::runtime
