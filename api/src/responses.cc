#include "responses.h"

namespace moor::api {

HttpResponse JsonResponse(int code, const Object& body) {
  HttpResponse r;
  r.status = code;
  r.headers["Content-Type"] = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse StatusResponse(int code, const std::string& reason, const std::string& message,
                            const StatusDetails& details) {
  return JsonResponse(code, FailureStatus(code, reason, message, details));
}

HttpResponse StoreErrorResponse(const Status& status, const manifests::KindInfo& kind, const std::string& name) {
  StatusDetails details;
  details.name = name;
  details.group = kind.group;
  details.kind = kind.plural;
  const std::string what = kind.GroupResource() + " \"" + name + "\"";
  switch (status.code()) {
    case StatusCode::kNotFound:
      return StatusResponse(404, "NotFound", what + " not found", details);
    case StatusCode::kAlreadyExists:
      return StatusResponse(409, "AlreadyExists", what + " already exists", details);
    case StatusCode::kConflict:
      return StatusResponse(409, "Conflict",
                            "Operation cannot be fulfilled on " + what +
                                ": the object has been modified; please apply your changes to the latest version "
                                "and try again",
                            details);
    case StatusCode::kGone:
      return StatusResponse(410, "Expired", status.message(), details);
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return StatusResponse(400, "BadRequest", status.message(), details);
    case StatusCode::kUnavailable:
      return StatusResponse(503, "ServiceUnavailable", status.message(), details);
    case StatusCode::kPermissionDenied:  // the store's messages are kube-apiserver's ("... is forbidden: ...")
      return StatusResponse(403, "Forbidden", status.message(), details);
    default:
      return StatusResponse(500, "InternalError", "Internal error occurred: " + status.message(), details);
  }
}

HttpResponse NotFoundResponse() {
  return StatusResponse(404, "NotFound", "the server could not find the requested resource");
}

HttpResponse WriteErrorResponse(const Status& status, const manifests::KindInfo& kind, const std::string& name) {
  if (status.code() != StatusCode::kAlreadyExists && status.code() != StatusCode::kConflict) {
    return StoreErrorResponse(status, kind, name);
  }
  StatusDetails details;
  details.name = name;
  details.group = kind.group;
  details.kind = kind.plural;
  return StatusResponse(409, status.code() == StatusCode::kAlreadyExists ? "AlreadyExists" : "Conflict",
                        status.message(), details);
}

}  // namespace moor::api
