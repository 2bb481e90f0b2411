#pragma once

#include <memory>
#include <string>

#include "moor/common/command.h"
#include "moor/runtime/container_runtime.h"

namespace moor::runtime {

// ContainerRuntime over runc, with Debian's conmon as the per-container monitor (CRI log format,
// rotation at log_max_bytes, exit files). All state lives under `state_dir` and runc's own root
// `runc_root`, so two instances (a daemon and a test) never see each other's containers.
//
// Per container, <state_dir>/<id>/ holds container.json (labels, log path, times), the bundle
// (config.json, rootfs = overlay of the layers with upper/work beside it) and conmon's files.
// runc create runs inside conmon (reported back over conmon's sync pipe, so a failed create
// returns runc's message); Start is `runc start`. conmon double-forks and is nobody's child:
// containers, their logs and their exit codes ("persist/exit", mtime = finish time) survive
// the daemon. OOM kills: conmon's "persist/oom" file, or the cgroup's oom_kill counter.
// Mount points for file bind mounts missing in the image (/etc/hosts, /etc/resolv.conf,
// /etc/hostname) are created by runc inside the rootfs (in the overlay's upper layer).
// cgroup v1 (one tree per controller) and v2 are told apart by /sys/fs/cgroup/cgroup.controllers.
// RLIMIT_NOFILE is 1048576, or the daemon's own hard limit when it lacks CAP_SYS_RESOURCE;
// "privileged" means every capability in the daemon's bounding set.
struct RuncRuntimeOptions {
  std::string state_dir;   // bundles, exit files, labels; required
  std::string runc_root;   // runc --root; default <state_dir>/runc (so no container may be named "runc")
  std::string cgroup_parent = "moor";  // containers get cgroup "/<cgroup_parent>/<id>"
  std::string runc_path = "runc";
  std::string conmon_path = "conmon";
  CommandRunner* runner = nullptr;     // runs runc; nullptr: SystemCommandRunner() (conmon is
                                       // always forked directly: it needs the sync pipe)
};

// kFailedPrecondition if runc or conmon cannot be found (PATH, then /usr/sbin, /sbin);
// kInvalidArgument for an empty state_dir or a cgroup_parent that is not a relative name.
StatusOr<std::unique_ptr<ContainerRuntime>> CreateRuncRuntime(const RuncRuntimeOptions& options);

}  // namespace moor::runtime
