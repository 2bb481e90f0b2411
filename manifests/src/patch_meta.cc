#include "patch_meta.h"

#include <array>

namespace moor::manifests::internal {
namespace {

struct Entry {
  std::string_view class_name;
  std::string_view field;
  bool merge;
  bool retain_keys;
  std::string_view merge_key;
};

// Kubernetes' patchStrategy/patchMergeKey tags (k8s.io/api, 1.32) of the fields of the kinds
// moor serves; every other field is replaced (lists) or merged (maps). Entries for fields
// newer than the generated schema (hostIPs, ContainerStatus.volumeMounts ...) are harmless: a
// field the schema does not know still finds its strategy here. Containers and ephemeral
// containers share their list fields (EphemeralContainerCommon).
constexpr std::array kTable = {
    // metav1.ObjectMeta
    Entry{"V1ObjectMeta", "finalizers", true, false, ""},
    Entry{"V1ObjectMeta", "ownerReferences", true, false, "uid"},
    // core/v1 PodSpec
    Entry{"V1PodSpec", "containers", true, false, "name"},
    Entry{"V1PodSpec", "initContainers", true, false, "name"},
    Entry{"V1PodSpec", "ephemeralContainers", true, false, "name"},
    Entry{"V1PodSpec", "volumes", true, true, "name"},
    Entry{"V1PodSpec", "imagePullSecrets", true, false, "name"},
    Entry{"V1PodSpec", "hostAliases", true, false, "ip"},
    Entry{"V1PodSpec", "topologySpreadConstraints", true, false, "topologyKey"},
    Entry{"V1PodSpec", "resourceClaims", true, true, "name"},
    Entry{"V1PodSpec", "schedulingGates", true, false, "name"},
    // core/v1 Container and EphemeralContainer
    Entry{"V1Container", "ports", true, false, "containerPort"},
    Entry{"V1Container", "env", true, false, "name"},
    Entry{"V1Container", "volumeMounts", true, false, "mountPath"},
    Entry{"V1Container", "volumeDevices", true, false, "devicePath"},
    Entry{"V1EphemeralContainer", "ports", true, false, "containerPort"},
    Entry{"V1EphemeralContainer", "env", true, false, "name"},
    Entry{"V1EphemeralContainer", "volumeMounts", true, false, "mountPath"},
    Entry{"V1EphemeralContainer", "volumeDevices", true, false, "devicePath"},
    // core/v1 status
    Entry{"V1PodStatus", "conditions", true, false, "type"},
    Entry{"V1PodStatus", "podIPs", true, false, "ip"},
    Entry{"V1PodStatus", "hostIPs", true, false, "ip"},
    Entry{"V1PodStatus", "resourceClaimStatuses", true, true, "name"},
    Entry{"V1ContainerStatus", "volumeMounts", true, false, "mountPath"},
    Entry{"V1ContainerStatus", "allocatedResourcesStatus", true, false, "name"},
    Entry{"V1NodeSpec", "podCIDRs", true, false, ""},
    Entry{"V1NodeStatus", "conditions", true, false, "type"},
    Entry{"V1NodeStatus", "addresses", true, false, "type"},
    Entry{"V1NamespaceStatus", "conditions", true, false, "type"},
    Entry{"V1PersistentVolumeClaimStatus", "conditions", true, false, "type"},
    Entry{"V1ServiceStatus", "conditions", true, false, "type"},
    // core/v1 ServiceSpec: by port only, so two ports that differ only in protocol collide, as
    // in Kubernetes.
    Entry{"V1ServiceSpec", "ports", true, false, "port"},
    // apps/v1
    Entry{"V1DeploymentSpec", "strategy", false, true, ""},
    Entry{"V1DeploymentStatus", "conditions", true, false, "type"},
    Entry{"V1ReplicaSetStatus", "conditions", true, false, "type"},
    Entry{"V1DaemonSetStatus", "conditions", true, false, "type"},
    Entry{"V1StatefulSetStatus", "conditions", true, false, "type"},
    // batch/v1
    Entry{"V1JobStatus", "conditions", true, false, "type"},
    // autoscaling/v2 (the schema's class for it is the v2beta2 model)
    Entry{"V2beta2HorizontalPodAutoscalerStatus", "conditions", true, false, "type"},
};

}  // namespace

PatchMeta PatchMetaFor(std::string_view class_name, std::string_view field) {
  for (const Entry& e : kTable) {
    if (e.class_name == class_name && e.field == field) {
      return PatchMeta{e.merge, e.retain_keys, std::string(e.merge_key)};
    }
  }
  return PatchMeta{};
}

}  // namespace moor::manifests::internal
