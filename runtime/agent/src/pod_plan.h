#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "moor/manifests/object.h"
#include "pod_observation.h"

namespace moor::runtime {

using manifests::Object;

struct PodAction {
  enum class Type {
    kCreateSandbox,
    kStartContainer,   // container_name, init, attempt
    kKillContainer,    // container_id, reason (liveness failure, changed spec)
    kRemoveContainer,  // container_id: an old instance no status needs any more
  };
  Type type = Type::kCreateSandbox;
  std::string container_name;
  bool init = false;
  int attempt = 0;
  std::string container_id;
  std::string reason;
  bool operator==(const PodAction&) const = default;
};

struct PodPlan {
  std::vector<PodAction> actions;
  std::optional<std::chrono::milliseconds> requeue_after;  // look again then (backoff, waiting)
};

// The delay before restarting a container whose instance `attempt` ran from `started` to
// `finished`: the Kubernetes shape (doubling, capped at 5 minutes, reset after 10 minutes of
// running) but with a fast first restart: 0 s, then 1 s, 2 s, 4 s, ... 300 s.
std::chrono::milliseconds RestartDelay(int attempt, std::optional<WallTime> started, std::optional<WallTime> finished);

// True if restartPolicy wants a container that exited with `exit_code` started again.
bool ShouldRestart(const std::string& restart_policy, bool init, int exit_code);

// The next steps for a pod that should run (pure). Level-triggered: the same observation gives
// the same plan; actions are idempotent.
PodPlan PlanPod(const Object& pod, const PodObservation& observation);

}  // namespace moor::runtime
