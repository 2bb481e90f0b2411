#pragma once

#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor::runtime {

// The Status for a failed registry (or token server) response. The message is
// "<context>: <registry's words>", where the registry's words come from the error body as
// Docker prints them:
//   {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]} -> "manifest unknown: manifest unknown"
// (several errors joined by "; "), or a token server's {"details"|"message"|"error_description"},
// or "HTTP <status>" plus the start of a short plain-text body.
// Codes: 401 kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 408/429/5xx kUnavailable,
// any other status kInvalidArgument.
Status RegistryError(long http_status, std::string_view body, std::string_view context);

}  // namespace moor::runtime
