#include "moor/manifests/kinds.h"

#include <algorithm>
#include <cctype>

namespace moor::manifests {
namespace {

std::vector<KindInfo> MakeKinds() {
  auto k = [](std::string group, std::vector<std::string> versions, std::string kind, std::string plural,
              std::vector<std::string> short_names, bool namespaced, bool has_status) {
    KindInfo info;
    info.group = std::move(group);
    info.versions = std::move(versions);
    info.singular = kind;
    std::transform(info.singular.begin(), info.singular.end(), info.singular.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    info.kind = std::move(kind);
    info.plural = std::move(plural);
    info.short_names = std::move(short_names);
    info.namespaced = namespaced;
    info.has_status = has_status;
    return info;
  };
  std::vector<KindInfo> kinds = {
      k("", {"v1"}, "Pod", "pods", {"po"}, true, true),
      k("", {"v1"}, "Service", "services", {"svc"}, true, true),
      k("", {"v1"}, "Endpoints", "endpoints", {"ep"}, true, false),
      k("", {"v1"}, "ConfigMap", "configmaps", {"cm"}, true, false),
      k("", {"v1"}, "Secret", "secrets", {}, true, false),
      k("", {"v1"}, "Namespace", "namespaces", {"ns"}, false, true),
      k("", {"v1"}, "PersistentVolumeClaim", "persistentvolumeclaims", {"pvc"}, true, true),
      k("", {"v1"}, "ResourceQuota", "resourcequotas", {"quota"}, true, true),
      k("", {"v1"}, "LimitRange", "limitranges", {"limits"}, true, false),
      k("", {"v1"}, "Event", "events", {"ev"}, true, false),
      k("", {"v1"}, "Node", "nodes", {"no"}, false, true),
      k("apps", {"v1"}, "Deployment", "deployments", {"deploy"}, true, true),
      k("apps", {"v1"}, "ReplicaSet", "replicasets", {"rs"}, true, true),
      k("apps", {"v1"}, "DaemonSet", "daemonsets", {"ds"}, true, true),
      k("apps", {"v1"}, "StatefulSet", "statefulsets", {"sts"}, true, true),
      k("batch", {"v1"}, "Job", "jobs", {}, true, true),
      k("batch", {"v1"}, "CronJob", "cronjobs", {"cj"}, true, true),
      k("networking.k8s.io", {"v1"}, "Ingress", "ingresses", {"ing"}, true, true),
      k("autoscaling", {"v2", "v1"}, "HorizontalPodAutoscaler", "horizontalpodautoscalers", {"hpa"}, true, true),
  };
  // As kube-apiserver: the workloads with spec.replicas (ReplicationController is not served).
  for (KindInfo& info : kinds) {
    info.has_scale = info.kind == "Deployment" || info.kind == "ReplicaSet" || info.kind == "StatefulSet";
  }
  return kinds;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string KindInfo::PreferredApiVersion() const {
  return group.empty() ? versions.front() : group + "/" + versions.front();
}

std::string KindInfo::GroupResource() const { return group.empty() ? plural : plural + "." + group; }

const std::vector<KindInfo>& SupportedKinds() {
  static const std::vector<KindInfo> kinds = MakeKinds();
  return kinds;
}

const KindInfo* FindKind(std::string_view api_version, std::string_view kind) {
  std::string_view group;
  std::string_view version = api_version;
  auto slash = api_version.find('/');
  if (slash != std::string_view::npos) {
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  }
  for (const KindInfo& info : SupportedKinds()) {
    if (info.kind != kind || info.group != group) continue;
    if (std::find(info.versions.begin(), info.versions.end(), version) != info.versions.end()) return &info;
  }
  return nullptr;
}

const KindInfo* FindKindByName(std::string_view name) {
  std::string lower = Lower(name);
  std::string base = lower;
  std::string group;
  bool qualified = false;
  auto dot = lower.find('.');
  if (dot != std::string::npos) {
    base = lower.substr(0, dot);
    group = lower.substr(dot + 1);
    qualified = true;
  }
  for (const KindInfo& info : SupportedKinds()) {
    bool name_matches = base == Lower(info.kind) || base == info.plural || base == info.singular ||
                        std::find(info.short_names.begin(), info.short_names.end(), base) != info.short_names.end();
    if (!name_matches) continue;
    if (!qualified) return &info;
    // "deployments.apps" and "deployments.v1.apps"
    if (group == info.group) return &info;
    for (const std::string& v : info.versions) {
      if (group == v + "." + info.group || (info.group.empty() && group == v)) return &info;
    }
  }
  return nullptr;
}

const KindInfo* FindKindByResource(std::string_view group, std::string_view plural) {
  for (const KindInfo& info : SupportedKinds()) {
    if (info.group == group && info.plural == plural) return &info;
  }
  return nullptr;
}

const KindInfo* FindKindByKind(std::string_view kind) {
  for (const KindInfo& info : SupportedKinds()) {
    if (info.kind == kind) return &info;
  }
  return nullptr;
}

const std::vector<std::string>& ServerPopulatedFields(std::string_view kind) {
  static const std::vector<std::string> kNone;
  static const std::vector<std::string> kPod = {"spec.nodeName"};
  // Set by the ClusterIP / NodePort allocator (reconciler/ ServiceIPAllocator) when a manifest
  // leaves them out.
  static const std::vector<std::string> kService = {"spec.clusterIP", "spec.clusterIPs", "spec.ports[*].nodePort"};
  if (kind == "Pod") return kPod;
  if (kind == "Service") return kService;
  return kNone;
}

}  // namespace moor::manifests
