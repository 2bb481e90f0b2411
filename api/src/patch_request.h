#pragma once

#include <optional>

#include "http_server.h"
#include "moor/manifests/object.h"
#include "moor/manifests/patch.h"

namespace moor::api {

// Tries of a patch whose object another write changed in between (kube-apiserver: 5).
inline constexpr int kPatchAttempts = 5;

// The body of a PATCH request: its type from the Content-Type and the parsed JSON.
struct PatchRequest {
  manifests::PatchType type = manifests::PatchType::kMergePatch;
  manifests::Object patch;
};

// 415 for a Content-Type that is none of the three patch types (with what to use instead of
// server-side apply), 400 for a body that is not JSON. On failure *error is the answer.
std::optional<PatchRequest> DecodePatch(const HttpRequest& req, HttpResponse* error);

// `current` with the patch applied; on failure *error is kube-apiserver's answer (400 for a
// malformed patch, 422 for one that cannot apply to this object).
std::optional<manifests::Object> ApplyPatchRequest(const manifests::Object& current, const PatchRequest& patch,
                                                   HttpResponse* error);

// A patch that names a resourceVersion is made against that one (a precondition, as in
// kube-apiserver): returns true when `patched` names one other than `current`'s. Any other
// patch applies to what is stored now: `patched` gets current's resourceVersion, and the
// caller runs the patch again on the newer object should a write come in between.
bool NamesResourceVersion(const manifests::Object& current, manifests::Object& patched);

}  // namespace moor::api
