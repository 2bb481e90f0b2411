#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cgroups.h"
#include "container_dir.h"
#include "host_limits.h"
#include "moor/common/command.h"
#include "moor/runtime/container_runtime.h"
#include "moor/runtime/runc_runtime.h"

namespace moor::runtime {

// ContainerRuntime over runc with conmon as the monitor; see runc_runtime.h for the contract.
// Everything it knows is on disk (state_dir and runc_root), so a new instance on the same
// directories adopts the containers of an old one. Thread-safe: it keeps no mutable state.
class RuncRuntime final : public ContainerRuntime {
 public:
  // `runc` and `conmon` are absolute paths (CreateRuncRuntime resolves them).
  RuncRuntime(RuncRuntimeOptions options, std::string runc, std::string conmon, CgroupHost cgroups,
              HostLimits limits);

  Status Create(const ContainerSpec& spec) override;
  Status Start(const std::string& id) override;
  // One `runc run --detach` under conmon instead of `runc create` + `runc start`: conmon is
  // given a runtime wrapper (RuncRunWrapper) that turns its "create" into "run --detach".
  Status Run(const ContainerSpec& spec) override;
  StatusOr<ContainerInfo> Inspect(const std::string& id) override;
  StatusOr<std::vector<ContainerInfo>> List() override;
  Status Kill(const std::string& id, int signal) override;
  Status Remove(const std::string& id) override;
  StatusOr<ExecResult> Exec(const std::string& id, const std::vector<std::string>& argv,
                            std::chrono::milliseconds timeout) override;
  std::vector<std::string> InteractiveExecCommand(const std::string& id, const std::vector<std::string>& argv,
                                                  bool tty) override;

 private:
  // What runc says about a container: "created", "running", "paused", "stopped".
  struct RuncState {
    std::string status;
    int pid = 0;
  };
  using StateLookup = std::function<StatusOr<std::optional<RuncState>>()>;

  CommandSpec RuncCommand(std::vector<std::string> args, std::chrono::milliseconds timeout) const;
  // nullopt if runc does not know the container.
  StatusOr<std::optional<RuncState>> QueryState(const std::string& id);
  std::optional<RuncState> ReadStateFiles(const std::string& id);
  // Create (start_now false) or Run (true).
  Status CreateContainer(const ContainerSpec& spec, bool start_now);
  Status CreateIn(const ContainerSpec& spec, const ContainerDir& dir, const std::string& cgroup_path, bool start_now);
  ContainerInfo Describe(const ContainerDir& dir, const ContainerRecord& record, const StateLookup& state);
  // runc delete, wait for conmon, unmount, remove cgroups and the state directory.
  Status Destroy(const std::string& id, const std::string& cgroup_path);
  std::string DefaultCgroupPath(const std::string& id) const;

  RuncRuntimeOptions options_;
  std::string runc_;
  std::string conmon_;
  CgroupHost cgroups_;
  HostLimits limits_;
  CommandRunner* runner_;
};

}  // namespace moor::runtime
