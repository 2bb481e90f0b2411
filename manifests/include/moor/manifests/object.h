#pragma once

#include <compare>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace moor::manifests {

// A Kubernetes object as a JSON tree (keys sorted, as kubectl prints them).
using Object = nlohmann::json;

// Identifies one object: its kind, namespace ("" for cluster-scoped kinds) and name.
// Kinds moor supports have unique names across groups, so the group is not part of the key.
struct ObjectKey {
  std::string kind;
  std::string ns;
  std::string name;

  // "Deployment/default/web", or "Namespace/prod" for cluster-scoped objects.
  std::string ToString() const;
  auto operator<=>(const ObjectKey&) const = default;
};

// Accessors that never throw: a missing or mistyped field reads as "".
std::string ApiVersionOf(const Object& obj);
std::string KindOf(const Object& obj);
std::string NameOf(const Object& obj);
std::string NamespaceOf(const Object& obj);
ObjectKey KeyOf(const Object& obj);
// True if metadata.deletionTimestamp is set: a graceful deletion is under way (Terminating).
bool IsBeingDeleted(const Object& obj);

// The value at a dotted path of map keys ("spec.template.metadata.labels"); a JSON null when
// any step is missing or not a map. Never throws.
const Object& FieldAt(const Object& obj, std::string_view dotted_path);
// FieldAt's value when it is a string, else "".
std::string StringAt(const Object& obj, std::string_view dotted_path);

// Sets the value at a dotted path, creating maps along the way (a non-map step is replaced).
void SetFieldAt(Object& obj, std::string_view dotted_path, Object value);
// Removes the value at a dotted path; nothing happens when any step is missing.
void EraseFieldAt(Object& obj, std::string_view dotted_path);

// Field paths of ServerPopulatedFields(): a dotted path that may hold one "[*]" step right after
// an array field ("spec.ports[*].nodePort" = nodePort of every element of spec.ports).
// True when a value (not null) is at the path (in at least one element for "[*]").
bool HasFieldsAt(const Object& obj, std::string_view path);
// Removes the value at the path (from every element for "[*]"); missing steps are no error.
void EraseFieldsAt(Object& obj, std::string_view path);
// Copies into `out` the value `stored` has at the path wherever `out` has none. "[*]" elements
// are matched by index, and an element keeps the stored value only when both elements are the
// same Service port: equal `port` and equal `protocol` (absent reads as "TCP").
void KeepFieldsAt(Object& out, const Object& stored, std::string_view path);

}  // namespace moor::manifests
