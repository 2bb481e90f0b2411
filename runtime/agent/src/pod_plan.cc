#include "pod_plan.h"

#include <algorithm>

#include "container_config.h"

#include "json_fields.h"

namespace moor::runtime {
namespace {

using std::chrono::milliseconds;

const ContainerInstance* Latest(const PodObservation& obs, const std::string& name) {
  auto it = obs.containers.find(name);
  if (it == obs.containers.end() || it->second.empty()) return nullptr;
  return &it->second.back();
}

milliseconds Until(WallTime when, WallTime now) {
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(when - now));
}

void Requeue(PodPlan& plan, milliseconds after) {
  if (!plan.requeue_after || after < *plan.requeue_after) plan.requeue_after = after;
}

// Adds a start of `name` unless a start failure asks to wait; returns false if waiting.
void StartOrWait(PodPlan& plan, const PodObservation& obs, const std::string& name, bool init, int attempt,
                 std::optional<WallTime> not_before) {
  auto failure = obs.start_failures.find(name);
  WallTime allowed = not_before.value_or(obs.now);
  if (failure != obs.start_failures.end()) allowed = std::max(allowed, failure->second.retry_at);
  if (allowed > obs.now) {
    Requeue(plan, Until(allowed, obs.now));
    return;
  }
  plan.actions.push_back(PodAction{PodAction::Type::kStartContainer, name, init, attempt, "", ""});
}

// Old instances: keep the newest two (the current one and the one `--previous` shows).
void RemoveOld(PodPlan& plan, const PodObservation& obs) {
  for (const auto& [name, instances] : obs.containers) {
    if (instances.size() <= 2) continue;
    for (std::size_t i = 0; i + 2 < instances.size(); ++i) {
      if (instances[i].state == ContainerState::kRunning) continue;
      plan.actions.push_back(PodAction{PodAction::Type::kRemoveContainer, name, instances[i].init, instances[i].attempt,
                                       instances[i].id, "superseded"});
    }
  }
}

// Plans one container (init or regular); returns true if it is done (init: exited 0).
bool PlanContainer(PodPlan& plan, const PodObservation& obs, const Object& container, bool init,
                   const std::string& restart_policy) {
  std::string name = Str(container, "name");
  const ContainerInstance* latest = Latest(obs, name);
  if (latest == nullptr) {
    StartOrWait(plan, obs, name, init, 0, std::nullopt);
    return false;
  }
  switch (latest->state) {
    case ContainerState::kCreated:
    case ContainerState::kUnknown:
      // Created but never started (the agent stopped in between): replace it.
      plan.actions.push_back(PodAction{PodAction::Type::kRemoveContainer, name, init, latest->attempt, latest->id,
                                       "never started"});
      StartOrWait(plan, obs, name, init, latest->attempt, std::nullopt);
      return false;
    case ContainerState::kRunning: {
      auto probe = obs.probes.find(latest->id);
      if (!init && probe != obs.probes.end() && probe->second.liveness_failed) {
        plan.actions.push_back(
            PodAction{PodAction::Type::kKillContainer, name, init, latest->attempt, latest->id, "Unhealthy"});
      } else if (latest->spec_hash != ContainerSpecHash(container)) {
        plan.actions.push_back(
            PodAction{PodAction::Type::kKillContainer, name, init, latest->attempt, latest->id, "SpecChanged"});
      }
      return false;
    }
    case ContainerState::kExited:
      break;
  }
  bool changed = latest->spec_hash != ContainerSpecHash(container);
  if (init && latest->exit_code == 0 && !changed) return true;
  if (!changed && !ShouldRestart(restart_policy, init, latest->exit_code)) return false;
  std::optional<WallTime> not_before;
  if (latest->finished_at) {
    not_before = *latest->finished_at + RestartDelay(latest->attempt, latest->started_at, latest->finished_at);
  }
  StartOrWait(plan, obs, name, init, latest->attempt + 1, not_before);
  return false;
}

}  // namespace

std::chrono::milliseconds RestartDelay(int attempt, std::optional<WallTime> started, std::optional<WallTime> finished) {
  using std::chrono::minutes;
  if (started && finished && *finished - *started >= minutes(10)) return milliseconds(0);
  if (attempt <= 0) return milliseconds(0);
  milliseconds delay(1000);
  for (int i = 1; i < attempt && delay < minutes(5); ++i) delay *= 2;
  return std::min<milliseconds>(delay, minutes(5));
}

bool ShouldRestart(const std::string& restart_policy, bool init, int exit_code) {
  // Init containers of a pod with restartPolicy Always are retried on failure like OnFailure.
  if (init) return exit_code != 0 && restart_policy != "Never";
  if (restart_policy == "Never") return false;
  if (restart_policy == "OnFailure") return exit_code != 0;
  return true;  // Always (the default)
}

PodPlan PlanPod(const Object& pod, const PodObservation& obs) {
  PodPlan plan;
  if (!obs.sandbox_ready) {
    plan.actions.push_back(PodAction{PodAction::Type::kCreateSandbox, "", false, 0, "", ""});
    return plan;
  }
  std::string restart_policy = Str(manifests::FieldAt(pod, "spec"), "restartPolicy");
  if (restart_policy.empty()) restart_policy = "Always";
  RemoveOld(plan, obs);
  const Object& inits = manifests::FieldAt(pod, "spec.initContainers");
  if (inits.is_array()) {
    for (const Object& init : inits) {
      if (!PlanContainer(plan, obs, init, true, restart_policy)) return plan;
    }
  }
  const Object& containers = manifests::FieldAt(pod, "spec.containers");
  if (containers.is_array()) {
    for (const Object& c : containers) PlanContainer(plan, obs, c, false, restart_policy);
  }
  return plan;
}

}  // namespace moor::runtime
