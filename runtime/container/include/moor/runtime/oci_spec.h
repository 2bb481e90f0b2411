#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"
#include "moor/runtime/container_spec.h"

namespace moor::runtime {

// The user the container's process runs as (already resolved, see process_user.h).
struct ProcessUser {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::vector<std::uint32_t> additional_gids;
  bool operator==(const ProcessUser&) const = default;
};

// What BuildOciSpec needs besides the ContainerSpec: facts about the host and the bundle.
struct OciSpecContext {
  std::string rootfs_path = "rootfs";  // root.path, relative to the bundle or absolute
  std::string cgroup_parent = "moor";  // linux.cgroupsPath = "/<cgroup_parent>/<id>"
  bool cgroup_v2 = false;              // adds a cgroup namespace
  bool memory_swap_supported = false;  // memory.swap = limit (no swap), as the kubelet does
  ProcessUser user;
  // RLIMIT_NOFILE soft and hard. Raising a hard limit needs CAP_SYS_RESOURCE; a host without
  // it passes its own hard limit.
  std::uint64_t nofile_limit = 1048576;
  // Capabilities this host can grant (bit n = capability n, as CapBnd in /proc/self/status):
  // "privileged" and "add: ALL" mean all of these.
  std::uint64_t available_capabilities = ~std::uint64_t{0};
};

// Docker's default capability set, "CAP_"-prefixed, in Docker's order.
const std::vector<std::string>& DefaultCapabilities();
// Every capability the kernels moor supports know (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE).
const std::vector<std::string>& AllCapabilities();

// The capability set of a container, as containerd computes it: privileged = all; otherwise
// Docker's default set, replaced by all when add has "ALL", emptied when drop has "ALL", then
// the named adds and drops. Names are case-insensitive, with or without "CAP_". The result is
// "CAP_"-prefixed and sorted by capability number. "All" means every capability in
// `available` (bit n = capability n). kInvalidArgument names an unknown capability.
StatusOr<std::vector<std::string>> ComputeCapabilities(const SecurityOptions& security,
                                                       std::uint64_t available = ~std::uint64_t{0});

// The OCI runtime config.json (ociVersion 1.0.2, as runc 1.1 accepts) for `spec`: process (args,
// env with PATH/HOSTNAME defaults, cwd, user, capabilities bounding/effective/permitted,
// RLIMIT_NOFILE (context.nofile_limit), noNewPrivileges, oomScoreAdj), root, hostname, Docker's default mounts
// followed by spec.mounts (a spec mount replaces a default at the same destination), namespaces
// (pid, ipc, uts, mount, network joining spec.netns_path when set, cgroup on v2), cgroupsPath,
// resources, devices, and Docker's masked/read-only paths (none when privileged).
// kInvalidArgument for specs that cannot run (no args, unknown capability, relative mount
// destination).
StatusOr<nlohmann::json> BuildOciSpec(const ContainerSpec& spec, const OciSpecContext& context);

}  // namespace moor::runtime
