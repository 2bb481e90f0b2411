#pragma once

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::manifests::internal {

// Applies an RFC 6902 JSON patch (an array of add/remove/replace/move/copy/test operations,
// paths as RFC 6901 JSON pointers with ~0/~1 escapes and "-" for "after the last element")
// to a copy of `original`. All operations apply or none (the copy is discarded on error).
// InvalidArgument for a malformed patch, FailedPrecondition for one that does not fit the
// document; see ApplyPatch in moor/manifests/patch.h.
//
// Strict RFC 6902, where Kubernetes' library (evanphx/json-patch v4) is lenient: "replace" of
// a missing map key fails (Kubernetes adds it), and list indexes are plain non-negative
// numbers without leading zeros (Kubernetes also takes -1 for the last element and "01").

StatusOr<Object> ApplyJsonPatch(const Object& original, const Object& patch);

}  // namespace moor::manifests::internal
