#include <map>
#include <string>

#include "json_access.h"
#include "kind_validators.h"
#include "meta_validation.h"
#include "moor/manifests/kinds.h"
#include "moor/manifests/load.h"
#include "reporter.h"
#include "schema.h"

namespace moor::manifests {
namespace {

using internal::Reporter;

std::string Quote(const std::string& s) { return Object(s).dump(); }

// apiVersions Kubernetes used to serve for kinds moor supports, and the release that removed them.
std::string RemovedIn(const std::string& api_version, const std::string& kind) {
  static const std::map<std::string, std::string> kRemoved = {
      {"batch/v1beta1/CronJob", "1.25"},
      {"batch/v2alpha1/CronJob", "1.21"},
      {"networking.k8s.io/v1beta1/Ingress", "1.22"},
      {"extensions/v1beta1/Ingress", "1.22"},
      {"extensions/v1beta1/Deployment", "1.16"},
      {"extensions/v1beta1/DaemonSet", "1.16"},
      {"extensions/v1beta1/ReplicaSet", "1.16"},
      {"apps/v1beta1/Deployment", "1.16"},
      {"apps/v1beta1/StatefulSet", "1.16"},
      {"apps/v1beta2/Deployment", "1.16"},
      {"apps/v1beta2/DaemonSet", "1.16"},
      {"apps/v1beta2/ReplicaSet", "1.16"},
      {"apps/v1beta2/StatefulSet", "1.16"},
      {"autoscaling/v2beta1/HorizontalPodAutoscaler", "1.25"},
      {"autoscaling/v2beta2/HorizontalPodAutoscaler", "1.26"},
  };
  auto it = kRemoved.find(api_version + "/" + kind);
  return it == kRemoved.end() ? "" : it->second;
}

std::string SupportedKindList() {
  std::string out;
  for (const KindInfo& k : SupportedKinds()) {
    if (!out.empty()) out += ", ";
    out += k.kind;
  }
  return out;
}

// Checks apiVersion and kind; returns the KindInfo when moor serves them.
const KindInfo* CheckKind(const Object& obj, Reporter& r) {
  const Object* api_version = internal::Field(obj, "apiVersion");
  const Object* kind = internal::Field(obj, "kind");
  bool ok = true;
  if (api_version == nullptr || !api_version->is_string() || api_version->get<std::string>().empty()) {
    r.Error("apiVersion", api_version == nullptr ? "missing required field \"apiVersion\"" : "apiVersion must be a non-empty string");
    ok = false;
  }
  if (kind == nullptr || !kind->is_string() || kind->get<std::string>().empty()) {
    r.Error("kind", kind == nullptr ? "missing required field \"kind\"" : "kind must be a non-empty string");
    ok = false;
  }
  if (!ok) return nullptr;
  std::string av = api_version->get<std::string>();
  std::string k = kind->get<std::string>();
  if (const KindInfo* info = FindKind(av, k)) return info;
  if (const KindInfo* known = FindKindByKind(k)) {
    std::string versions;
    for (const std::string& v : known->versions) {
      if (!versions.empty()) versions += " or ";
      versions += Quote(known->group.empty() ? v : known->group + "/" + v);
    }
    std::string removed = RemovedIn(av, k);
    r.Error("apiVersion", "apiVersion " + Quote(av) + " of kind " + k +
                              (removed.empty() ? " is not supported" : " is no longer served (removed in Kubernetes " + removed + ")") +
                              "; use apiVersion " + versions);
    return nullptr;
  }
  r.Error("kind", "unsupported kind " + Quote(av + ", Kind=" + k) + "; moor supports " + SupportedKindList());
  return nullptr;
}

internal::NameRule NameRuleFor(const KindInfo& kind) {
  if (kind.kind == "Service") return internal::NameRule::kDns1035Label;
  if (kind.kind == "Namespace") return internal::NameRule::kDns1123Label;
  if (kind.kind == "Event") return internal::NameRule::kPathSegment;
  return internal::NameRule::kDns1123Subdomain;
}

void ValidateKind(const KindInfo& kind, const Object& obj, Reporter& r) {
  using Fn = void (*)(const Object&, Reporter&);
  static const std::map<std::string, Fn> kValidators = {
      {"Pod", internal::ValidatePod},
      {"Service", internal::ValidateService},
      {"ConfigMap", internal::ValidateConfigMap},
      {"Secret", internal::ValidateSecret},
      {"Namespace", internal::ValidateNamespace},
      {"PersistentVolumeClaim", internal::ValidatePersistentVolumeClaim},
      {"ResourceQuota", internal::ValidateResourceQuota},
      {"LimitRange", internal::ValidateLimitRange},
      {"Deployment", internal::ValidateDeployment},
      {"ReplicaSet", internal::ValidateReplicaSet},
      {"DaemonSet", internal::ValidateDaemonSet},
      {"StatefulSet", internal::ValidateStatefulSet},
      {"Job", internal::ValidateJob},
      {"CronJob", internal::ValidateCronJob},
      {"Ingress", internal::ValidateIngress},
      {"HorizontalPodAutoscaler", internal::ValidateHorizontalPodAutoscaler},
  };
  auto it = kValidators.find(kind.kind);
  if (it != kValidators.end()) it->second(obj, r);
}

}  // namespace

std::vector<Diagnostic> Validate(const Document& doc, std::string_view file, const LoadOptions& options) {
  std::vector<Diagnostic> out;
  Reporter r(file, doc, options.strict, &out);
  const KindInfo* kind = CheckKind(doc.object, r);
  if (kind == nullptr) return out;
  const internal::Schema& schema = internal::Schema::Get();
  const internal::Schema::Class* root = schema.RootFor(ApiVersionOf(doc.object), KindOf(doc.object));
  if (root != nullptr) schema.Check(doc.object, *root, "", r);
  // Semantic rules run on well-typed objects only, as kube-apiserver validates only what it
  // could decode; this also keeps one mistake from producing a cascade of messages.
  if (r.errors() > 0) return out;
  internal::ValidateObjectMeta(doc.object, *kind, NameRuleFor(*kind), r);
  ValidateKind(*kind, doc.object, r);
  return out;
}

}  // namespace moor::manifests
