#include "namespace_lifecycle.h"

#include "object_rules.h"

namespace moor::store {

bool IsImmortalNamespace(std::string_view name) {
  return name == "default" || name == "kube-system" || name == "kube-public";
}

manifests::Object ActiveNamespaceStatus() { return manifests::Object{{"phase", "Active"}}; }

manifests::Object TerminatingNamespaceStatus(const manifests::Object& status) {
  manifests::Object out = status.is_object() ? status : manifests::Object::object();
  out["phase"] = "Terminating";
  return out;
}

Status ImmortalNamespaceDelete(std::string_view name) {
  return PermissionDeniedError("namespaces \"" + std::string(name) + "\" is forbidden: this namespace may not be deleted");
}

Status NamespaceTerminatingCreate(const manifests::ObjectKey& key) {
  return PermissionDeniedError(GroupResourceOf(key.kind) + " \"" + key.name + "\" is forbidden: unable to create new " +
                               "content in namespace " + key.ns + " because it is being terminated");
}

}  // namespace moor::store
