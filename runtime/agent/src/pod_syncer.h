#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "moor/runtime/node_agent.h"
#include "pod_layout.h"
#include "pod_observation.h"
#include "pod_volumes.h"
#include "probe_manager.h"

namespace moor::runtime {

// The per-pod reconcile of the node agent: observe the pod's sandbox and containers, plan
// (PlanPod), act, and write the status (BuildPodStatus); tear down pods that are gone. One key
// ("namespace/name") is synced by one worker at a time (the WorkQueue guarantees it); different
// keys in parallel. Holds what it learned (containers of each pod, start failures, pending
// graceful kills) in memory; everything needed after a restart is on disk or in the runtime.
class PodSyncer {
 public:
  PodSyncer(const NodeAgentOptions& options, std::string node_name, std::string host_ip, ProbeManager& probes);

  // Adoption at start: indexes every container the runtime has and every pod dir, and removes
  // sandboxes that belong to no pod. Returns the keys of the pods found.
  StatusOr<std::vector<std::string>> LoadExisting();

  // One pass over `key`; returns when to look again (nullopt: only on the next change).
  std::optional<std::chrono::milliseconds> Sync(const std::string& key);

  // Keys of every pod this node holds state for.
  std::vector<std::string> LocalKeys();
  // Host pids of running containers with their pod keys (the agent watches them for exits).
  std::vector<std::pair<int, std::string>> RunningPids();

  StatusOr<ContainerLogRef> LogFor(const std::string& ns, const std::string& pod, const std::string& container,
                                   bool previous);
  std::set<std::string> ImagesInUse();

 private:
  struct LocalContainer {
    ContainerInstance instance;
    int pid = 0;
    std::string log_path;
  };
  struct LocalPod {
    std::string ns, name, uid;
    std::map<std::string, LocalContainer> containers;  // by id
    std::map<std::string, StartFailure> failures;      // by container name
    std::map<std::string, WallTime> kill_deadlines;    // by container id: SIGTERM sent, SIGKILL after
    int grace_seconds = 30;
    std::optional<WallTime> terminate_deadline;        // pod teardown started
    std::string sandbox_error;
    int sandbox_failures = 0;
    std::optional<WallTime> sandbox_retry_at;
  };

  std::optional<std::chrono::milliseconds> SyncDesired(const Object& pod);
  // Stops and removes everything of pod `uid` (SIGTERM, SIGKILL after local.grace_seconds);
  // nullopt once nothing is left. With `deleted` (the pod object, being deleted) it also
  // records the Killing events and writes the pod's final status (containers terminated)
  // before the containers are removed.
  std::optional<std::chrono::milliseconds> Terminate(const std::string& uid, const Object* deleted = nullptr);
  // A pod bound here with metadata.deletionTimestamp: stop it with its
  // deletionGracePeriodSeconds, remove what it has on this node, then remove the object (grace
  // 0, uid precondition: a pod re-created under the same name meanwhile stays).
  std::optional<std::chrono::milliseconds> FinishDeletion(const Object& pod);
  void Refresh(LocalPod& local);
  PodObservation Observe(const Object& pod, LocalPod& local);
  // Writes the status of deleted `pod` once its containers stopped (see FinishDeletion).
  void WriteFinalStatus(const Object& pod, LocalPod& local);
  Status CreateSandbox(const Object& pod, LocalPod& local);
  void StartContainer(const Object& pod, const Object& container, bool init, int attempt, LocalPod& local,
                      const PodObservation& obs);
  void KillContainer(LocalPod& local, const std::string& id, const std::string& reason, int grace_seconds);
  void RecordEvent(const Object& pod, const std::string& type, const std::string& reason, const std::string& message,
                   const std::string& field_path = "");
  std::vector<RegistryCredential> PullCredentials(const Object& pod);
  LocalPod& LocalFor(const std::string& uid, const std::string& ns, const std::string& name);

  // Copies the pod's containers for readers on other threads (LogFor, RunningPids, ImagesInUse).
  void Publish(const LocalPod& local);

  const NodeAgentOptions& options_;
  std::string node_name_;
  std::string host_ip_;
  ProbeManager& probes_;
  PodLayout layout_;
  PodVolumes volumes_;
  Clock& clock_;
  std::mutex mu_;  // guards pods_ (the map itself; each LocalPod is used by one worker at a time) and published_
  std::map<std::string, LocalPod> pods_;  // by uid
  struct Published {
    std::string ns, name;
    std::vector<LocalContainer> containers;
  };
  std::map<std::string, Published> published_;  // by uid
};

}  // namespace moor::runtime
