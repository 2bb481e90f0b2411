#include "discovery.h"

#include <map>
#include <set>
#include <vector>

#include "moor/manifests/kinds.h"

namespace moor::api {
namespace {

std::string GroupVersion(const std::string& group, const std::string& version) {
  return group.empty() ? version : group + "/" + version;
}

// Kinds `kubectl get all` lists, as kube-apiserver categorizes them.
bool InCategoryAll(const std::string& kind) {
  static const std::set<std::string> kAll = {"Pod",        "Service",   "Deployment", "ReplicaSet",
                                             "DaemonSet",  "StatefulSet", "Job",      "CronJob",
                                             "HorizontalPodAutoscaler"};
  return kAll.count(kind) > 0;
}

}  // namespace

Object VersionInfo() {
  return {{"major", kKubernetesMajor},
          {"minor", kKubernetesMinor},
          {"gitVersion", kGitVersion},
          {"gitCommit", ""},
          {"gitTreeState", "clean"},
          {"buildDate", "1970-01-01T00:00:00Z"},
          {"goVersion", "none (moor, C++)"},
          {"compiler", "moor"},
          {"platform", "linux/amd64"}};
}

Object CoreApiVersions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

Object ApiGroupList() {
  // group -> versions in order of first appearance (a kind lists its preferred version first)
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> versions;
  for (const auto& kind : manifests::SupportedKinds()) {
    if (kind.group.empty()) continue;
    if (!versions.count(kind.group)) order.push_back(kind.group);
    auto& vs = versions[kind.group];
    for (const auto& v : kind.versions) {
      bool seen = false;
      for (const auto& have : vs) seen = seen || have == v;
      if (!seen) vs.push_back(v);
    }
  }
  Object groups = Object::array();
  for (const auto& group : order) {
    Object vs = Object::array();
    for (const auto& v : versions[group]) vs.push_back({{"groupVersion", GroupVersion(group, v)}, {"version", v}});
    const std::string& preferred = versions[group].front();
    groups.push_back({{"name", group},
                      {"versions", vs},
                      {"preferredVersion", {{"groupVersion", GroupVersion(group, preferred)}, {"version", preferred}}}});
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<Object> ApiResourceList(const std::string& group, const std::string& version) {
  Object resources = Object::array();
  for (const auto& kind : manifests::SupportedKinds()) {
    if (kind.group != group) continue;
    bool served = false;
    for (const auto& v : kind.versions) served = served || v == version;
    if (!served) continue;
    Object r = {{"name", kind.plural},
                {"singularName", kind.singular},
                {"namespaced", kind.namespaced},
                {"kind", kind.kind},
                {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}}};
    if (!kind.short_names.empty()) r["shortNames"] = kind.short_names;
    if (InCategoryAll(kind.kind)) r["categories"] = {"all"};
    resources.push_back(r);
    if (kind.has_status) {
      resources.push_back({{"name", kind.plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", kind.namespaced},
                           {"kind", kind.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (kind.has_scale) {
      resources.push_back({{"name", kind.plural + "/scale"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (kind.kind == "Pod") {
      resources.push_back({{"name", "pods/log"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"kind", "Pod"},
                           {"verbs", {"get"}}});
    }
  }
  if (resources.empty()) return std::nullopt;
  return Object{{"kind", "APIResourceList"},
                {"apiVersion", "v1"},
                {"groupVersion", GroupVersion(group, version)},
                {"resources", resources}};
}

}  // namespace moor::api
