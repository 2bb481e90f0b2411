#pragma once

#include <optional>
#include <string_view>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::manifests {

// The three patch bodies kubectl sends with HTTP PATCH (apply, label, annotate, patch, edit,
// set image, scale ...).
enum class PatchType {
  kJsonPatch,            // application/json-patch+json (RFC 6902)
  kMergePatch,           // application/merge-patch+json (RFC 7386)
  kStrategicMergePatch,  // application/strategic-merge-patch+json (Kubernetes)
};

// The PatchType of a Content-Type header value; parameters (";charset=utf-8") and case are
// ignored. nullopt if it is none of the three (the caller answers 415 UnsupportedMediaType;
// server-side apply, application/apply-patch+yaml, is one of those).
std::optional<PatchType> PatchTypeFor(std::string_view content_type);

// True for server-side apply's body (application/apply-patch+yaml; parameters and case
// ignored as above), which moor does not serve: the caller says what to use instead.
bool IsServerSideApply(std::string_view content_type);

// Applies `patch` (already parsed JSON) to `original` (a whole stored object: apiVersion,
// kind, metadata, spec, status) as kube-apiserver does, and returns the result. `original`
// and `patch` are not modified. The result is not validated or defaulted: that is the
// caller's job, as for a PUT body.
//
// kStrategicMergePatch follows k8s.io/apimachinery's strategicpatch (server side): maps merge,
// null deletes, lists are replaced unless the field has patch strategy "merge" in Kubernetes'
// types (containers by name, ports by containerPort, env by name, finalizers as a set ...),
// and the directives $patch (replace/delete/merge), $retainKeys, $setElementOrder/<list> and
// $deleteFromPrimitiveList/<list> are applied; none of them is left in the result. The field
// strategies are found by walking the schema from the original's apiVersion and kind, so a
// PodSpec inside a Deployment, Job or CronJob template merges like a Pod's. For a kind the
// schema does not know, lists are replaced (JSON merge patch semantics).
//
// Errors (no exception escapes):
//  - InvalidArgument: the patch document is malformed for its type: a JSON patch that is not
//    an array of operation objects, an unknown op, a missing "path"/"value"/"from", a path that
//    is not a JSON pointer; a merge or strategic patch that is not a JSON object, an unknown
//    $patch value, a $retainKeys/$setElementOrder/$deleteFromPrimitiveList value that is not a
//    list, a merge-list element without its merge key, a patch list out of the order its
//    $setElementOrder gives. The API answers 400 BadRequest with the message.
//  - FailedPrecondition: well-formed but cannot be applied to this object: a JSON patch path
//    that does not exist for remove/replace/move/copy/test (or whose parent does not exist for
//    add), a failed "test", an array index out of range, a strategic list directive on a field
//    that is not a list. The API answers 422 Unprocessable Entity with the message.
// Messages say what and where: `json patch op 2 ("remove"): path "/spec/foo" does not exist`
// (ops are counted from 0, like the array's indexes).
StatusOr<Object> ApplyPatch(const Object& original, const Object& patch, PatchType type);

}  // namespace moor::manifests
