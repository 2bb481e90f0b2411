#pragma once

#include <string>

#include "http_server.h"
#include "moor/api/status_object.h"
#include "moor/manifests/kinds.h"

namespace moor::api {

// A JSON answer (Content-Type application/json).
HttpResponse JsonResponse(int code, const Object& body);

// An error answer whose body is a v1 Status object.
HttpResponse StatusResponse(int code, const std::string& reason, const std::string& message,
                            const StatusDetails& details = {});

// A store error about object `name` of `kind`, with kube-apiserver's wording:
// `deployments.apps "web" not found` (404), `... already exists` (409 AlreadyExists),
// `Operation cannot be fulfilled on ...` (409 Conflict), 410 Expired, 400, else 500.
HttpResponse StoreErrorResponse(const Status& status, const manifests::KindInfo& kind, const std::string& name);

// A store error of a write. The store's 409 messages are kube-apiserver's own and say more
// than the generic ones (which precondition failed, that the object is being deleted), so they
// are sent as they are; everything else as StoreErrorResponse words it.
HttpResponse WriteErrorResponse(const Status& status, const manifests::KindInfo& kind, const std::string& name);

// 404 for a path nothing is served at.
HttpResponse NotFoundResponse();

}  // namespace moor::api
