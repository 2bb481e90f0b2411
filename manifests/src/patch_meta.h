#pragma once

#include <string>
#include <string_view>

namespace moor::manifests::internal {

// How a strategic merge patch treats one field of a Kubernetes type: the Go struct tags
// patchStrategy / patchMergeKey (OpenAPI x-kubernetes-patch-strategy / -merge-key).
struct PatchMeta {
  // "merge": a list merges with the patch (maps element-wise by merge_key, primitives as a
  // set) instead of being replaced.
  bool merge = false;
  // "retainKeys": kubectl sends a $retainKeys directive for this map (or each element of this
  // list). Informational: like kube-apiserver, the merge applies $retainKeys wherever it is.
  bool retain_keys = false;
  // The key that identifies an element of a merge list of maps; empty for primitive lists.
  std::string merge_key;
};

// The strategy of `field` in the schema class `class_name` ("V1PodSpec", "containers"), named
// like the Python client's models (see schema.h). A field that is not in the table has no
// strategy: its lists are replaced and its maps merged. Never fails; thread-safe.
PatchMeta PatchMetaFor(std::string_view class_name, std::string_view field);

}  // namespace moor::manifests::internal
