#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "moor/runtime/container_runtime.h"
#include "pod_observation.h"
#include "probe.h"

namespace moor::runtime {

// Runs the probes of running containers, one thread per container that has any, and keeps
// their results. When a result flips (ready, started, liveness failed) it calls `on_change`
// with the pod key it was given, so the agent re-syncs that pod. Thread-safe.
class ProbeManager {
 public:
  ProbeManager(ContainerRuntime& runtime, std::function<void(const std::string& pod_key)> on_change);
  ~ProbeManager();

  // Starts probing `container_id` (a running container described by `container`, in a pod at
  // `pod_ip`) unless already probing it. A bad probe spec is reported through `state` as failing
  // readiness and logged once.
  void Ensure(const std::string& pod_key, const std::string& container_id, const Object& container,
              const std::string& pod_ip);
  // Stops probing every container not in `alive`.
  void Retain(const std::set<std::string>& alive);
  // Current results; a container without probes is ready and started.
  ProbeState State(const std::string& container_id, const Object& container);
  void StopAll();

 private:
  struct Worker;
  void Run(Worker* worker);

  ContainerRuntime& runtime_;
  std::function<void(const std::string&)> on_change_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Worker>> workers_;  // by container id
};

}  // namespace moor::runtime
