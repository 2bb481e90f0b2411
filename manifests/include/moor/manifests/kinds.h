#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace moor::manifests {

// One kind moor serves, with the names the API and the CLI know it by.
struct KindInfo {
  std::string group;                  // "" for core, "apps", "batch", "networking.k8s.io", ...
  std::vector<std::string> versions;  // served versions, preferred first ("v2", "v1")
  std::string kind;                   // "Deployment"
  std::string plural;                 // "deployments"
  std::string singular;               // "deployment"
  std::vector<std::string> short_names;  // {"deploy"}
  bool namespaced = true;
  bool has_status = true;             // status is a subresource (written apart from spec)
  bool has_scale = false;             // a /scale subresource (autoscaling/v1 Scale of spec.replicas)

  std::string PreferredApiVersion() const;  // "apps/v1", "v1"
  std::string GroupResource() const;        // "deployments.apps", "pods"
};

// Every kind moor serves, in a stable order.
const std::vector<KindInfo>& SupportedKinds();

// By apiVersion and kind, exactly as a manifest says them; nullptr if unsupported.
const KindInfo* FindKind(std::string_view api_version, std::string_view kind);
// By any name kubectl accepts: "deploy", "deployment", "deployments", "Deployment",
// "deployments.apps", "deployment.apps", case-insensitive; nullptr if none.
const KindInfo* FindKindByName(std::string_view name);
// By API group and plural resource name ("apps", "deployments"); nullptr if none.
const KindInfo* FindKindByResource(std::string_view group, std::string_view plural);
// By kind name alone ("Deployment"); nullptr if none.
const KindInfo* FindKindByKind(std::string_view kind);

// Spec fields that controllers fill in after creation and that a manifest usually leaves out
// (a Pod's spec.nodeName, set by the binder). An apply that omits one keeps the stored value,
// and the folder source does not count it as drift — as server-side apply does for fields
// another manager owns. Dotted paths, possibly with one "[*]" step (see HasFieldsAt /
// EraseFieldsAt / KeepFieldsAt in object.h); empty for most kinds.
const std::vector<std::string>& ServerPopulatedFields(std::string_view kind);

}  // namespace moor::manifests
