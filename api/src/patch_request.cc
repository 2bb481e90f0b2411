#include "patch_request.h"

#include "responses.h"

namespace moor::api {

std::optional<PatchRequest> DecodePatch(const HttpRequest& req, HttpResponse* error) {
  const std::string content_type = req.Header("content-type");
  std::optional<manifests::PatchType> type = manifests::PatchTypeFor(content_type);
  if (!type) {
    if (manifests::IsServerSideApply(content_type)) {
      *error = StatusResponse(415, "UnsupportedMediaType",
                              "moor does not serve server-side apply yet: use kubectl apply without --server-side "
                              "(client-side apply), or moor apply");
    } else {
      *error = StatusResponse(415, "UnsupportedMediaType",
                              "the body of the request was in an unknown format - accepted media types include: "
                              "application/json-patch+json, application/merge-patch+json, "
                              "application/strategic-merge-patch+json");
    }
    return std::nullopt;
  }
  PatchRequest out;
  out.type = *type;
  out.patch = manifests::Object::parse(req.body, nullptr, false);
  if (out.patch.is_discarded()) {
    *error = StatusResponse(400, "BadRequest", "the patch is not valid JSON");
    return std::nullopt;
  }
  return out;
}

std::optional<manifests::Object> ApplyPatchRequest(const manifests::Object& current, const PatchRequest& patch,
                                                   HttpResponse* error) {
  StatusOr<manifests::Object> patched = manifests::ApplyPatch(current, patch.patch, patch.type);
  if (patched.ok()) return std::move(patched).value();
  if (patched.status().code() == StatusCode::kInvalidArgument) {
    *error = StatusResponse(400, "BadRequest", patched.status().message());
  } else {
    *error = StatusResponse(422, "Invalid", patched.status().message());
  }
  return std::nullopt;
}

bool NamesResourceVersion(const manifests::Object& current, manifests::Object& patched) {
  const std::string stored = manifests::StringAt(current, "metadata.resourceVersion");
  const std::string named = manifests::StringAt(patched, "metadata.resourceVersion");
  if (!named.empty() && named != stored) return true;
  if (!patched.contains("metadata") || !patched["metadata"].is_object()) patched["metadata"] = manifests::Object::object();
  patched["metadata"]["resourceVersion"] = stored;
  return false;
}

}  // namespace moor::api
