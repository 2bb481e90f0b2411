#pragma once

#include <map>
#include <string>

#include "container_env.h"
#include "pod_layout.h"

namespace moor::runtime {

// The host side of a pod's volumes under the pod dir.
//   emptyDir               <pod>/volumes/<name>/ (medium Memory: a tmpfs mounted there)
//   hostPath               the host path, checked / created per `type`
//   configMap, secret      <pod>/volumes/<name>/ written as kubelet's atomic writer does: files
//                          are symlinks into `..data`, which is swapped in one rename, so a
//                          container that mounted the directory sees every update at once
//   persistentVolumeClaim  <pvc_root>/<namespace>/<claimName>/ (a local directory that outlives pods)
class PodVolumes {
 public:
  PodVolumes(const PodLayout& layout, std::string pvc_root) : layout_(layout), pvc_root_(std::move(pvc_root)) {}

  // Creates missing volumes and refreshes configMap / secret contents (rewritten only when they
  // changed). Returns volume name -> host path. kFailedPrecondition with kubelet's words when a
  // referenced object or key is missing (`configmap "cfg" not found`) or a hostPath check fails;
  // an unsupported volume type is kFailedPrecondition naming it.
  StatusOr<std::map<std::string, std::string>> Prepare(const Object& pod, const ObjectLookup& lookup) const;

  // Unmounts tmpfs emptyDirs and removes the pod's volume dirs (never hostPath or PVC data).
  Status Remove(const std::string& pod_uid) const;

 private:
  const PodLayout& layout_;
  std::string pvc_root_;
};

// Writes `files` (relative path -> (content, mode)) into `dir` with the atomic-writer layout.
// Returns true if anything changed.
StatusOr<bool> WriteAtomicVolume(const std::string& dir, const std::map<std::string, std::pair<std::string, int>>& files);

}  // namespace moor::runtime
