#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace moor::runtime {

struct MountSpec {
  std::string destination;  // path in the container
  std::string source;       // host path (bind) or the fs type's source
  std::string type = "bind";
  bool read_only = false;
  std::vector<std::string> extra_options;  // added to the OCI options ("rbind", "rprivate" are implied for bind)
};

// cgroup limits from a container's `resources` (already converted by the caller).
struct ResourceLimits {
  std::optional<std::uint64_t> cpu_shares;       // requests.cpu: milli * 1024 / 1000, min 2
  std::optional<std::int64_t> cpu_quota_us;      // limits.cpu: milli * period / 1000
  std::uint64_t cpu_period_us = 100000;
  std::optional<std::int64_t> memory_limit_bytes;
  std::optional<std::int64_t> pids_limit;
  std::optional<int> oom_score_adj;              // process.oomScoreAdj (QoS class), unset: inherit
};

struct SecurityOptions {
  // run_as_user wins over ContainerSpec::image_user. The group is run_as_group if set, else the
  // primary group of the user in the rootfs's /etc/passwd (the group named in image_user when
  // the image says "user:group"), else 0.
  std::optional<std::uint32_t> run_as_user;   // unset: the image's user (or 0)
  std::optional<std::uint32_t> run_as_group;
  std::vector<std::uint32_t> supplemental_groups;
  bool privileged = false;                    // all capabilities, no masked paths, devices
  bool read_only_rootfs = false;
  bool no_new_privileges = true;              // allowPrivilegeEscalation: false / default
  std::vector<std::string> capabilities_add;  // "NET_ADMIN" or "CAP_NET_ADMIN"; "ALL"
  std::vector<std::string> capabilities_drop; // "ALL" drops every default first
};

// Everything needed to create one container. The runtime turns it into an OCI bundle.
struct ContainerSpec {
  std::string id;    // unique on this host, [a-z0-9-], <= 64 chars
  std::string name;  // the pod's container name (for messages)
  std::map<std::string, std::string> labels;  // kept with the container, returned by List()
  std::vector<std::string> rootfs_layers;     // image layer dirs, bottom first (overlay lowerdirs)
  std::vector<std::string> args;              // resolved entrypoint + command, non-empty
  std::vector<std::string> env;               // "KEY=value"; PATH and HOSTNAME added if missing
  // The image config's User ("", "nobody", "1000", "1000:1000", "app:staff"), resolved against
  // the rootfs's /etc/passwd and /etc/group. Only used when security.run_as_user is unset.
  std::string image_user;
  std::string working_dir = "/";
  std::string hostname;
  std::string netns_path;                     // join this network namespace ("" = new one)
  std::vector<MountSpec> mounts;              // in addition to /proc, /dev, /sys, ... defaults
  ResourceLimits resources;
  SecurityOptions security;
  std::string log_path;                       // CRI-format log file (created with parents); required
  std::int64_t log_max_bytes = 10 * 1024 * 1024;
  bool tty = false;
};

}  // namespace moor::runtime
