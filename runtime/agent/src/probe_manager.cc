#include "probe_manager.h"

#include "moor/common/log.h"

namespace moor::runtime {

struct ProbeManager::Worker {
  std::string pod_key;
  std::string container_id;
  std::string container_name;
  std::string pod_ip;
  std::optional<ProbeSpec> liveness, readiness, startup;
  std::string error;  // a probe spec that cannot run
  int startup_failures = 0;
  // Results, guarded by ProbeManager::mu_.
  ProbeState state;
  std::unique_ptr<ProbeTracker> liveness_tracker, readiness_tracker, startup_tracker;
  // Stop signal.
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop = false;
  std::thread thread;
};

ProbeManager::ProbeManager(ContainerRuntime& runtime, std::function<void(const std::string& pod_key)> on_change)
    : runtime_(runtime), on_change_(std::move(on_change)) {}

ProbeManager::~ProbeManager() { StopAll(); }

void ProbeManager::Ensure(const std::string& pod_key, const std::string& container_id, const Object& container,
                          const std::string& pod_ip) {
  std::lock_guard<std::mutex> lock(mu_);
  if (workers_.count(container_id)) return;
  auto w = std::make_unique<Worker>();
  w->pod_key = pod_key;
  w->container_id = container_id;
  w->container_name = container.value("name", "");
  w->pod_ip = pod_ip;
  auto parse = [&](const char* field, std::optional<ProbeSpec>* into) {
    auto spec = ParseProbe(container, field);
    if (!spec.ok()) w->error = spec.status().message();
    else *into = *spec;
  };
  parse("livenessProbe", &w->liveness);
  parse("readinessProbe", &w->readiness);
  parse("startupProbe", &w->startup);
  w->state.ready = !w->readiness && w->error.empty();
  w->state.started = !w->startup;
  if (w->liveness) w->liveness_tracker = std::make_unique<ProbeTracker>(1, w->liveness->failure_threshold, true);
  if (w->readiness) {
    w->readiness_tracker =
        std::make_unique<ProbeTracker>(w->readiness->success_threshold, w->readiness->failure_threshold, false);
  }
  if (w->startup) w->startup_tracker = std::make_unique<ProbeTracker>(1, w->startup->failure_threshold, false);
  if (!w->error.empty()) {
    LogWarn("probe spec cannot run", {{"pod", pod_key}, {"container", w->container_name}, {"error", w->error}});
  }
  Worker* raw = w.get();
  bool needs_thread = w->liveness || w->readiness || w->startup;
  workers_[container_id] = std::move(w);
  if (needs_thread) raw->thread = std::thread([this, raw] { Run(raw); });
}

void ProbeManager::Retain(const std::set<std::string>& alive) {
  std::vector<std::unique_ptr<Worker>> stopped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (alive.count(it->first)) {
        ++it;
        continue;
      }
      stopped.push_back(std::move(it->second));
      it = workers_.erase(it);
    }
  }
  for (auto& w : stopped) {
    {
      std::lock_guard<std::mutex> lock(w->stop_mu);
      w->stop = true;
    }
    w->stop_cv.notify_all();
    if (w->thread.joinable()) w->thread.join();
  }
}

void ProbeManager::StopAll() { Retain({}); }

ProbeState ProbeManager::State(const std::string& container_id, const Object& container) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = workers_.find(container_id);
  if (it != workers_.end()) return it->second->state;
  ProbeState state;
  state.ready = !container.contains("readinessProbe");
  state.started = !container.contains("startupProbe");
  return state;
}

void ProbeManager::Run(Worker* w) {
  using SteadyClock = std::chrono::steady_clock;
  auto started = SteadyClock::now();
  struct Schedule {
    const std::optional<ProbeSpec>* spec;
    ProbeTracker* tracker;
    SteadyClock::time_point next;
    const char* name;
  };
  std::vector<Schedule> schedules;
  auto add = [&](const std::optional<ProbeSpec>& spec, ProbeTracker* tracker, const char* name) {
    if (spec) schedules.push_back({&spec, tracker, started + spec->initial_delay, name});
  };
  add(w->startup, w->startup_tracker.get(), "Startup");
  add(w->readiness, w->readiness_tracker.get(), "Readiness");
  add(w->liveness, w->liveness_tracker.get(), "Liveness");
  while (true) {
    auto next = SteadyClock::time_point::max();
    for (const auto& s : schedules) next = std::min(next, s.next);
    {
      std::unique_lock<std::mutex> lock(w->stop_mu);
      w->stop_cv.wait_until(lock, next, [w] { return w->stop; });
      if (w->stop) return;
    }
    auto now = SteadyClock::now();
    for (auto& s : schedules) {
      if (s.next > now) continue;
      const ProbeSpec& spec = **s.spec;
      s.next = now + spec.period;
      bool is_startup = s.tracker == w->startup_tracker.get();
      bool started_yet;
      {
        std::lock_guard<std::mutex> lock(mu_);
        started_yet = w->state.started;
      }
      // Liveness and readiness wait for the startup probe; the startup probe stops once it passed.
      if (is_startup == started_yet) continue;
      std::string detail;
      bool ok = false;
      if (spec.kind == ProbeSpec::Kind::kExec) {
        auto result = runtime_.Exec(w->container_id, spec.command, spec.timeout);
        ok = result.ok() && result->exit_code == 0;
        if (!result.ok()) detail = result.status().message();
        else if (result->timed_out) detail = "command timed out";
        else if (!ok) detail = result->out + result->err;
      } else {
        // Only the pod's own address: a probe never sends traffic anywhere else.
        std::string ip = w->pod_ip;
        if (!spec.host.empty() && spec.host != w->pod_ip) {
          detail = "probe host " + spec.host + " is not the pod IP; moor only probes the pod itself";
        } else if (spec.kind == ProbeSpec::Kind::kHttpGet) {
          ok = HttpGetProbe(ip, spec, &detail);
        } else {
          ok = TcpSocketProbe(ip, spec, &detail);
        }
      }
      bool changed = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (s.tracker->Record(ok)) {
          changed = true;
          if (s.tracker == w->readiness_tracker.get()) w->state.ready = s.tracker->value();
          if (is_startup) w->state.started = s.tracker->value();
          if (s.tracker == w->liveness_tracker.get()) w->state.liveness_failed = !s.tracker->value();
        }
        // A startup probe that fails failureThreshold times in a row restarts the container.
        if (is_startup) {
          w->startup_failures = ok ? 0 : w->startup_failures + 1;
          if (w->startup_failures >= spec.failure_threshold && !w->state.liveness_failed) {
            w->state.liveness_failed = true;
            changed = true;
          }
        }
      }
      if (!ok) {
        LogDebug("probe failed", {{"pod", w->pod_key}, {"container", w->container_name}, {"probe", s.name},
                                  {"detail", detail}});
      }
      if (changed) on_change_(w->pod_key);
    }
  }
}

}  // namespace moor::runtime
