#pragma once

#include <memory>
#include <string>

#include "moor/common/command.h"
#include "moor/runtime/container_runtime.h"

namespace moor::runtime {

// ContainerRuntime over runc, with Debian's conmon as the per-container monitor (CRI log format,
// rotation at log_max_bytes, exit files). All state lives under `state_dir` and runc's own root
// `runc_root`, so two instances (a daemon and a test) never see each other's containers.
struct RuncRuntimeOptions {
  std::string state_dir;   // bundles, exit files, labels; required
  std::string runc_root;   // runc --root; default <state_dir>/runc
  std::string cgroup_parent = "moor";  // containers get cgroup "/<cgroup_parent>/<id>"
  std::string runc_path = "runc";
  std::string conmon_path = "conmon";
  CommandRunner* runner = nullptr;     // nullptr: SystemCommandRunner()
};

StatusOr<std::unique_ptr<ContainerRuntime>> CreateRuncRuntime(const RuncRuntimeOptions& options);

}  // namespace moor::runtime
