#pragma once

#include <string>

#include "moor/manifests/object.h"

namespace moor::runtime {

// Labels the agent stores with every container it creates; they are how a restarted agent
// finds its pods' containers again (adoption).
inline constexpr const char* kLabelPodUid = "moor.pod.uid";
inline constexpr const char* kLabelPodNamespace = "moor.pod.namespace";
inline constexpr const char* kLabelPodName = "moor.pod.name";
inline constexpr const char* kLabelContainerName = "moor.container.name";
inline constexpr const char* kLabelAttempt = "moor.container.attempt";
inline constexpr const char* kLabelInit = "moor.container.init";  // "true" for initContainers
inline constexpr const char* kLabelImage = "moor.container.image";
inline constexpr const char* kLabelImageId = "moor.container.image-id";
inline constexpr const char* kLabelSpecHash = "moor.container.spec-hash";

// Where a pod's files live on this node.
class PodLayout {
 public:
  PodLayout(std::string pods_dir, std::string logs_dir) : pods_dir_(std::move(pods_dir)), logs_dir_(std::move(logs_dir)) {}

  // The sandbox id of a pod: the first 16 hex digits of its uid (dashes removed).
  static std::string SandboxId(const std::string& pod_uid);

  // <pods_dir>/<uid>: volumes, etc-hosts, sandbox.json. Its existence means "this node runs the pod".
  std::string PodDir(const std::string& pod_uid) const { return pods_dir_ + "/" + pod_uid; }
  std::string VolumeDir(const std::string& pod_uid, const std::string& volume) const {
    return PodDir(pod_uid) + "/volumes/" + volume;
  }
  // As kubelet: <logs_dir>/<ns>_<pod>_<uid>/<container>/<attempt>.log
  std::string ContainerLogDir(const std::string& ns, const std::string& pod, const std::string& uid,
                              const std::string& container) const {
    return PodLogDir(ns, pod, uid) + "/" + container;
  }
  std::string PodLogDir(const std::string& ns, const std::string& pod, const std::string& uid) const {
    return logs_dir_ + "/" + ns + "_" + pod + "_" + uid;
  }
  std::string ContainerLogPath(const std::string& ns, const std::string& pod, const std::string& uid,
                               const std::string& container, int attempt) const {
    return ContainerLogDir(ns, pod, uid, container) + "/" + std::to_string(attempt) + ".log";
  }
  const std::string& pods_dir() const { return pods_dir_; }
  const std::string& logs_dir() const { return logs_dir_; }

 private:
  std::string pods_dir_;
  std::string logs_dir_;
};

}  // namespace moor::runtime
