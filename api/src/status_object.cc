#include "moor/api/status_object.h"

namespace moor::api {

int HttpCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kConflict: return 409;
    case StatusCode::kGone: return 410;
    case StatusCode::kFailedPrecondition: return 400;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string ReasonForHttpCode(int http_code) {
  switch (http_code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return http_code >= 500 ? "InternalError" : "";
  }
}

Object FailureStatus(int http_code, const std::string& reason, const std::string& message,
                     const StatusDetails& details) {
  Object status = {{"kind", "Status"},  {"apiVersion", "v1"},  {"metadata", Object::object()},
                   {"status", "Failure"}, {"message", message}, {"code", http_code}};
  if (!reason.empty()) status["reason"] = reason;
  Object d = Object::object();
  if (!details.name.empty()) d["name"] = details.name;
  if (!details.group.empty()) d["group"] = details.group;
  if (!details.kind.empty()) d["kind"] = details.kind;
  if (!details.uid.empty()) d["uid"] = details.uid;
  if (details.retry_after_seconds > 0) d["retryAfterSeconds"] = details.retry_after_seconds;
  if (!details.causes.empty()) {
    Object causes = Object::array();
    for (const auto& c : details.causes) {
      Object cause = Object::object();
      if (!c.reason.empty()) cause["reason"] = c.reason;
      cause["message"] = c.message;
      if (!c.field.empty()) cause["field"] = c.field;
      causes.push_back(cause);
    }
    d["causes"] = causes;
  }
  if (!d.empty()) status["details"] = d;
  return status;
}

Object SuccessStatus(const StatusDetails& details) {
  Object status = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Object::object()}, {"status", "Success"}};
  Object d = Object::object();
  if (!details.name.empty()) d["name"] = details.name;
  if (!details.group.empty()) d["group"] = details.group;
  if (!details.kind.empty()) d["kind"] = details.kind;
  if (!details.uid.empty()) d["uid"] = details.uid;
  if (!d.empty()) status["details"] = d;
  return status;
}

StatusCode StatusCodeForHttp(int http_code, const std::string& reason) {
  if (http_code >= 200 && http_code < 300) return StatusCode::kOk;
  switch (http_code) {
    case 400:
    case 422: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409: return reason == "AlreadyExists" ? StatusCode::kAlreadyExists : StatusCode::kConflict;
    case 410: return StatusCode::kGone;
    case 429: return StatusCode::kResourceExhausted;
    case 503: return StatusCode::kUnavailable;
    case 504: return StatusCode::kDeadlineExceeded;
    default: return StatusCode::kInternal;
  }
}

Status StatusFromResponse(int http_code, const std::string& body) {
  std::string reason;
  std::string message;
  Object parsed = Object::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.value("kind", "") == "Status") {
    if (parsed.contains("reason") && parsed["reason"].is_string()) reason = parsed["reason"].get<std::string>();
    if (parsed.contains("message") && parsed["message"].is_string()) message = parsed["message"].get<std::string>();
    if (parsed.contains("code") && parsed["code"].is_number_integer()) http_code = parsed["code"].get<int>();
  }
  if (message.empty()) {
    message = body.empty() ? "the server answered HTTP " + std::to_string(http_code) : body;
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  }
  StatusCode code = StatusCodeForHttp(http_code, reason);
  if (code == StatusCode::kOk) code = StatusCode::kInternal;
  return Status(code, message);
}

}  // namespace moor::api
