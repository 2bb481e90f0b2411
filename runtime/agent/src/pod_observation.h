#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "moor/common/clock.h"
#include "moor/runtime/container_runtime.h"

namespace moor::runtime {

// One runtime container of a pod, as the agent sees it (from the runtime and its labels).
struct ContainerInstance {
  std::string id;
  std::string name;
  bool init = false;
  int attempt = 0;  // 0 for the first run; the pod's restartCount of this container
  ContainerState state = ContainerState::kUnknown;
  int exit_code = 0;
  bool oom_killed = false;
  std::optional<WallTime> started_at;
  std::optional<WallTime> finished_at;
  std::string image;     // as the pod spec named it
  std::string image_id;  // "sha256:..." of the image config
  std::string spec_hash;
};

// Why a container could not be started the last time the agent tried (kept in memory).
struct StartFailure {
  std::string reason;   // "ErrImagePull", "CreateContainerConfigError", "CreateContainerError", ...
  std::string message;
  WallTime retry_at;    // do not try again before this
  int failures = 0;
};

// Probe results of one running container.
struct ProbeState {
  bool ready = false;            // readiness (true if it has no readiness probe)
  bool started = false;          // startup probe passed (true if it has none)
  bool liveness_failed = false;  // liveness reached failureThreshold: restart it
};

// Everything the pure planning and status functions need about one pod on this node.
struct PodObservation {
  bool sandbox_ready = false;
  std::string pod_ip;
  std::optional<WallTime> sandbox_created;
  // By container name: instances ordered by attempt, oldest first.
  std::map<std::string, std::vector<ContainerInstance>> containers;
  std::map<std::string, StartFailure> start_failures;  // by container name
  std::map<std::string, ProbeState> probes;            // by container id
  std::string sandbox_error;                           // last sandbox set-up failure
  WallTime now;
};

}  // namespace moor::runtime
