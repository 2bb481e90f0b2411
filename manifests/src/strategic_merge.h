#pragma once

#include <optional>
#include <string>

#include "moor/common/status.h"
#include "moor/manifests/object.h"
#include "patch_meta.h"
#include "schema.h"

namespace moor::manifests::internal {

// Applies a Kubernetes strategic merge patch (a JSON object) to a copy of `original` (a whole
// object), as k8s.io/apimachinery's strategicpatch does on the server; the field strategies
// come from PatchMetaFor, found by walking Schema alongside the object from its apiVersion and
// kind (unknown kind: no strategies, i.e. JSON merge patch semantics). See ApplyPatch in
// moor/manifests/patch.h for the errors.
//
// Checked against strategicpatch as kubectl 1.32 links it (`kubectl patch --local`), including
// its list order. Deliberate differences, all for patches kubectl does not generate:
//  - `$patch: delete` in a map removes the key (Kubernetes leaves an empty map);
//  - `$patch: merge` is accepted as a no-op (Kubernetes rejects it in maps and lists);
//  - values new to the object, and elements of `$patch: replace` lists, are cleaned of
//    directives and nulls (Kubernetes copies them as they are and drops them when decoding);
//  - $deleteFromPrimitiveList on a field that is not a list is an error (Kubernetes ignores it);
//  - an empty list with a $setElementOrder is no error, nor a `$patch: replace` element at the
//    end of a list with one;
//  - a list both added to and deleted from by one patch: deletions apply last (Kubernetes'
//    order is random).
StatusOr<Object> ApplyStrategicMergePatch(const Object& original, const Object& patch);

// The merge of one patch into one value; stateless, so one instance may serve any number of
// patches. Paths ("spec.template.spec.containers[1]") are only for messages.
class StrategicMerger {
 public:
  using Type = Schema::Type;

  // Merges the patch map into `original` (a map, taken over; anything else, e.g. null, means
  // there is none: the patch is then only cleaned of directives and nulls). `type` describes
  // both; nullptr if unknown. nullopt: the patch says `$patch: delete`, the caller removes
  // the map.
  StatusOr<std::optional<Object>> MergeMap(Object original, const Object& patch, const Type* type,
                                           const std::string& path) const;

  // Merges the patch list into `original` (a list, taken over; anything else means none) by
  // the field's strategy; the list's elements are described by `element_type` (nullptr if
  // unknown).
  StatusOr<Object> MergeList(Object original, const Object& patch, const PatchMeta& meta,
                             const Type* element_type, const std::string& path) const;

 private:
  struct Field {
    PatchMeta meta;
    const Type* type = nullptr;
  };
  static Field FieldOf(const Type* parent, const std::string& key);
  static const Type* ElementOf(const Type* list_type);

  Status ApplyRetainKeys(Object& result, const Object& patch, const std::string& path) const;
  Status ApplySetElementOrder(Object& result, const Object& patch, const std::string& key, const Type* type,
                              const std::string& path) const;
  Status ApplyDeleteFromPrimitiveList(Object& result, const std::string& key, const Object& values,
                                      const Type* type, const std::string& path) const;
  StatusOr<Object> MergeMapList(Object live, const Object& patch, const std::string& merge_key,
                                const Type* element_type, const std::string& path) const;
  StatusOr<Object> ReplaceList(const Object& patch, const Type* element_type, const std::string& path) const;
};

}  // namespace moor::manifests::internal
