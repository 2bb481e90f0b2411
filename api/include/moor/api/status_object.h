#pragma once

#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::api {

using manifests::Object;

// One entry of details.causes in a Kubernetes Status ("FieldValueInvalid", field, message).
struct StatusCause {
  std::string reason;
  std::string field;
  std::string message;
};

// details of a Kubernetes Status: what the failure was about.
struct StatusDetails {
  std::string name;   // object name, "" when none
  std::string group;  // API group, "" for core
  std::string kind;   // as kube-apiserver puts it: the resource ("deployments") for most
                      // errors, the Kind ("Deployment") for Invalid
  std::string uid;
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;
};

// The HTTP status code kube-apiserver uses for a moor status code (NotFound 404,
// AlreadyExists / Conflict 409, Gone 410, InvalidArgument 400, Unauthenticated 401,
// PermissionDenied 403, Unavailable 503, DeadlineExceeded 504, ResourceExhausted 429,
// FailedPrecondition 400, everything else 500).
int HttpCodeFor(StatusCode code);

// The Kubernetes StatusReason for an HTTP code ("NotFound", "Conflict", "Invalid" for 422,
// "Expired" for 410, "Unauthorized", "BadRequest", "InternalError", ...).
std::string ReasonForHttpCode(int http_code);

// A v1 Status object with status "Failure":
// {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":...,
//  "reason":...,"details":{...},"code":...}. Empty details fields are left out.
Object FailureStatus(int http_code, const std::string& reason, const std::string& message,
                     const StatusDetails& details = {});

// A v1 Status object with status "Success" and code 200.
Object SuccessStatus(const StatusDetails& details = {});

// The moor status code for an HTTP status code (and reason, which tells Conflict from
// AlreadyExists): 404 kNotFound, 409 kAlreadyExists/kConflict, 410 kGone, 400/422
// kInvalidArgument, 401 kUnauthenticated, 403 kPermissionDenied, 429 kResourceExhausted,
// 503 kUnavailable, 504 kDeadlineExceeded, other errors kInternal.
StatusCode StatusCodeForHttp(int http_code, const std::string& reason = "");

// Turns an error response back into a moor Status that keeps the server's message (for a
// v1 Status body: its `message`; otherwise the body text or the HTTP code).
Status StatusFromResponse(int http_code, const std::string& body);

}  // namespace moor::api
