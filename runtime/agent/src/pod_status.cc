#include "pod_status.h"

#include <set>

#include "moor/manifests/quantity.h"
#include "pod_plan.h"

#include "json_fields.h"

namespace moor::runtime {
namespace {

// section[name] as a quantity if it is set, parses and is greater than zero.
std::optional<manifests::Quantity> PositiveQuantity(const Object& section, const char* name) {
  if (!section.is_object() || !section.contains(name)) return std::nullopt;
  auto q = manifests::Quantity::FromJson(section[name]);
  if (!q.ok() || q->IsZero() || q->IsNegative()) return std::nullopt;
  return *q;
}

std::string Time(std::optional<WallTime> t) { return t ? FormatRfc3339(*t) : std::string(); }

Object Terminated(const ContainerInstance& c) {
  std::string reason = c.oom_killed ? "OOMKilled" : (c.exit_code == 0 ? "Completed" : "Error");
  Object t = {{"exitCode", c.exit_code}, {"reason", reason}, {"containerID", "runc://" + c.id}};
  if (c.started_at) t["startedAt"] = Time(c.started_at);
  if (c.finished_at) t["finishedAt"] = Time(c.finished_at);
  return Object{{"terminated", t}};
}

struct ContainerSummary {
  Object status;
  bool ready = false;
  bool running = false;
  bool terminated = false;    // latest instance exited and will not be restarted
  bool succeeded = false;     // terminated with 0
  bool ever_started = false;  // some instance started (Pending vs Running)
};

ContainerSummary Summarize(const Object& pod, const Object& container, const PodObservation& obs, bool init,
                           const std::string& restart_policy) {
  ContainerSummary s;
  std::string name = Str(container, "name");
  Object& st = s.status;
  st = {{"name", name}, {"image", Str(container, "image")}, {"imageID", ""}, {"ready", false}, {"restartCount", 0},
        {"started", false}};
  auto it = obs.containers.find(name);
  const std::vector<ContainerInstance>* instances = it == obs.containers.end() ? nullptr : &it->second;
  const ContainerInstance* latest = instances && !instances->empty() ? &instances->back() : nullptr;
  auto failure = obs.start_failures.find(name);
  auto waiting = [&](const std::string& default_reason) {
    Object w = {{"reason", default_reason}};
    if (failure != obs.start_failures.end()) {
      // After the first failed pull Kubernetes shows ImagePullBackOff while it waits.
      std::string reason = failure->second.reason;
      if (reason == "ErrImagePull" && failure->second.failures > 1 && failure->second.retry_at > obs.now) {
        reason = "ImagePullBackOff";
      }
      w = {{"reason", reason}, {"message", failure->second.message}};
    }
    return Object{{"waiting", w}};
  };
  if (latest == nullptr) {
    st["state"] = waiting(init ? "PodInitializing" : "ContainerCreating");
    if (!init && !obs.sandbox_ready && !obs.sandbox_error.empty()) {
      st["state"] = Object{{"waiting", {{"reason", "ContainerCreating"}, {"message", obs.sandbox_error}}}};
    }
    return s;
  }
  s.ever_started = latest->started_at.has_value() || latest->attempt > 0;
  st["restartCount"] = latest->attempt;
  st["containerID"] = "runc://" + latest->id;
  if (!latest->image_id.empty()) st["imageID"] = latest->image_id;
  const ContainerInstance* previous = instances->size() >= 2 ? &(*instances)[instances->size() - 2] : nullptr;
  if (previous != nullptr && previous->state == ContainerState::kExited) st["lastState"] = Terminated(*previous);
  else st["lastState"] = Object::object();
  switch (latest->state) {
    case ContainerState::kRunning: {
      s.running = true;
      auto probe = obs.probes.find(latest->id);
      ProbeState ps = probe == obs.probes.end() ? ProbeState{} : probe->second;
      s.ready = ps.ready && ps.started;
      st["state"] = Object{{"running", {{"startedAt", Time(latest->started_at)}}}};
      st["ready"] = s.ready;
      st["started"] = ps.started;
      break;
    }
    case ContainerState::kExited: {
      bool restart = ShouldRestart(restart_policy, init, latest->exit_code) && !(init && latest->exit_code == 0);
      if (restart) {
        // Waiting to be restarted: the exited instance becomes lastState.
        st["lastState"] = Terminated(*latest);
        st["state"] = failure != obs.start_failures.end()
                          ? waiting("")
                          : Object{{"waiting",
                                    {{"reason", "CrashLoopBackOff"},
                                     {"message", "back-off restarting failed container " + name + " in pod " +
                                                     manifests::NameOf(pod) + "_" + manifests::NamespaceOf(pod)}}}};
      } else {
        s.terminated = true;
        s.succeeded = latest->exit_code == 0;
        st["state"] = Terminated(*latest);
      }
      break;
    }
    default:
      st["state"] = waiting(init ? "PodInitializing" : "ContainerCreating");
      break;
  }
  return s;
}

Object Condition(const std::string& type, bool value, const Object& previous, WallTime now,
                 const std::string& reason = "") {
  std::string status = value ? "True" : "False";
  std::string since = FormatRfc3339(now);
  const Object& prev_conditions = previous.is_object() && previous.contains("conditions") ? previous["conditions"] : Object();
  if (prev_conditions.is_array()) {
    for (const Object& c : prev_conditions) {
      if (Str(c, "type") == type && Str(c, "status") == status && c.contains("lastTransitionTime")) {
        since = Str(c, "lastTransitionTime");
      }
    }
  }
  Object c = {{"type", type}, {"status", status}, {"lastProbeTime", nullptr}, {"lastTransitionTime", since}};
  if (!value && !reason.empty()) c["reason"] = reason;
  return c;
}

}  // namespace

std::string QosClassOf(const Object& pod) {
  bool any = false, guaranteed = true;
  for (const char* list : {"spec.containers", "spec.initContainers"}) {
    const Object& containers = manifests::FieldAt(pod, list);
    if (!containers.is_array()) continue;
    for (const Object& c : containers) {
      const Object& requests = manifests::FieldAt(c, "resources.requests");
      const Object& limits = manifests::FieldAt(c, "resources.limits");
      for (const char* r : {"cpu", "memory"}) {
        // As Kubernetes: quantities compare by value ("1" == "1000m"), zero ones do not count.
        std::optional<manifests::Quantity> request = PositiveQuantity(requests, r);
        std::optional<manifests::Quantity> limit = PositiveQuantity(limits, r);
        if (request || limit) any = true;
        if (!limit || (request && *request != *limit)) guaranteed = false;
      }
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

Object BuildPodStatus(const Object& pod, const PodObservation& obs, const Object& previous, const std::string& host_ip) {
  std::string restart_policy = Str(manifests::FieldAt(pod, "spec"), "restartPolicy");
  if (restart_policy.empty()) restart_policy = "Always";
  Object status = Object::object();

  bool initialized = true, init_failed = false;
  Object init_statuses = Object::array();
  const Object& inits = manifests::FieldAt(pod, "spec.initContainers");
  if (inits.is_array()) {
    for (const Object& c : inits) {
      ContainerSummary s = Summarize(pod, c, obs, true, restart_policy);
      if (!s.succeeded) initialized = false;
      if (s.terminated && !s.succeeded) init_failed = true;
      s.status["ready"] = s.succeeded;
      init_statuses.push_back(s.status);
    }
  }
  Object statuses = Object::array();
  bool all_ready = true, any_running = false, all_terminated = true, all_succeeded = true, all_started = true;
  const Object& containers = manifests::FieldAt(pod, "spec.containers");
  if (containers.is_array()) {
    for (const Object& c : containers) {
      ContainerSummary s = Summarize(pod, c, obs, false, restart_policy);
      if (!initialized) {
        s.status["state"] = Object{{"waiting", {{"reason", "PodInitializing"}}}};
      }
      all_ready = all_ready && s.ready;
      any_running = any_running || s.running;
      all_terminated = all_terminated && s.terminated;
      all_succeeded = all_succeeded && s.succeeded;
      all_started = all_started && s.ever_started;
      statuses.push_back(s.status);
    }
  }

  std::string phase = "Pending";
  if (init_failed) {
    phase = "Failed";
  } else if (initialized && all_terminated && !statuses.empty()) {
    phase = all_succeeded ? "Succeeded" : "Failed";
  } else if (initialized && all_started && (any_running || !all_terminated)) {
    phase = "Running";
  }
  status["phase"] = phase;

  WallTime now = obs.now;
  bool scheduled = !manifests::FieldAt(pod, "spec.nodeName").is_null();
  bool ready = initialized && all_ready && phase == "Running";
  status["conditions"] = Object::array({
      Condition("PodReadyToStartContainers", obs.sandbox_ready, previous, now),
      Condition("Initialized", initialized, previous, now, "ContainersNotInitialized"),
      Condition("Ready", ready, previous, now, "ContainersNotReady"),
      Condition("ContainersReady", initialized && all_ready, previous, now, "ContainersNotReady"),
      Condition("PodScheduled", scheduled, previous, now),
  });
  if (!init_statuses.empty()) status["initContainerStatuses"] = init_statuses;
  status["containerStatuses"] = statuses;
  if (!host_ip.empty()) {
    status["hostIP"] = host_ip;
    status["hostIPs"] = Object::array({{{"ip", host_ip}}});
  }
  if (!obs.pod_ip.empty()) {
    status["podIP"] = obs.pod_ip;
    status["podIPs"] = Object::array({{{"ip", obs.pod_ip}}});
  }
  std::string start = Str(previous, "startTime");
  if (start.empty() && obs.sandbox_created) start = FormatRfc3339(*obs.sandbox_created);
  if (!start.empty()) status["startTime"] = start;
  status["qosClass"] = QosClassOf(pod);
  return status;
}

}  // namespace moor::runtime
