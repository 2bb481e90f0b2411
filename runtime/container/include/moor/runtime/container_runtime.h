#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/runtime/container_spec.h"

namespace moor::runtime {

// kUnknown: no exit was recorded and runc has no live process (the monitor was killed, the host
// rebooted, or a create did not finish); the caller should Remove and recreate the container.
enum class ContainerState { kCreated, kRunning, kExited, kUnknown };

struct ContainerInfo {
  std::string id;
  std::map<std::string, std::string> labels;
  ContainerState state = ContainerState::kUnknown;
  int pid = 0;              // init process on the host while running
  int exit_code = 0;        // valid when kExited; 128 + signal when killed (137 = SIGKILL/OOM)
  bool oom_killed = false;  // the memory cgroup killed it
  std::string created_at;   // RFC 3339
  std::string started_at;   // RFC 3339, empty until started
  std::string finished_at;  // RFC 3339, empty until exited
  std::string log_path;
};

struct ExecResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs containers on this host. Each container has a monitor process that outlives the caller:
// containers keep running, logs keep flowing and exit codes are recorded while the daemon is
// down, and a new daemon finds them all again through List(). Idempotent: removing a missing
// container succeeds; killing an exited one succeeds.
class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;

  // Mounts the root filesystem, writes the bundle, starts the monitor and creates the container
  // (state kCreated). kAlreadyExists if the id is taken.
  virtual Status Create(const ContainerSpec& spec) = 0;
  // Starts the user process of a created container.
  virtual Status Start(const std::string& id) = 0;
  // Create and Start in one step (state kRunning), with one runtime invocation where the
  // implementation can. On failure nothing of the container is left.
  virtual Status Run(const ContainerSpec& spec) {
    MOOR_RETURN_IF_ERROR(Create(spec));
    Status started = Start(spec.id);
    if (!started.ok()) {
      Status removed = Remove(spec.id);
      (void)removed;  // best effort: the start failed either way
    }
    return started;
  }
  // kNotFound if this runtime has no such container.
  virtual StatusOr<ContainerInfo> Inspect(const std::string& id) = 0;
  // Every container this runtime created and has not removed, in any state.
  virtual StatusOr<std::vector<ContainerInfo>> List() = 0;
  virtual Status Kill(const std::string& id, int signal) = 0;
  // Kills (SIGKILL) if needed, deletes the runc state, unmounts the root filesystem, removes the
  // bundle and the container's cgroup. The log file stays (the caller removes the pod's logs).
  virtual Status Remove(const std::string& id) = 0;
  // Runs a command inside a running container and captures its output (probes, `moor exec`
  // without a terminal). The container's env, user and cwd apply. On timeout the command is
  // killed and the result says timed_out. kFailedPrecondition if the container has exited.
  virtual StatusOr<ExecResult> Exec(const std::string& id, const std::vector<std::string>& argv,
                                    std::chrono::milliseconds timeout) = 0;
  // The argv of a command that, run by a process on this host with the user's terminal, execs
  // `argv` inside the container (`runc --root R exec -t ID ...`): for `moor exec -it`.
  virtual std::vector<std::string> InteractiveExecCommand(const std::string& id, const std::vector<std::string>& argv,
                                                          bool tty) = 0;
};

}  // namespace moor::runtime
