#pragma once

#include <optional>
#include <string>

#include "moor/manifests/object.h"

namespace moor::api {

// The OpenAPI v3 documents kubectl reads before a create or apply: which group-versions
// exist and which paths of each take which query parameters (kubectl validates on the server,
// with ?fieldValidation=Strict, when the PATCH operation of a kind lists that parameter, and
// otherwise refuses to run without --validate=false). Paths and operations only: no schemas
// (kubectl then computes strategic merge patches from its own built-in types, and
// `kubectl explain` has nothing to show).

// GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}}}
// for every served group-version; the hash changes when the document does.
manifests::Object OpenApiV3Index();

// GET /openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>; nullopt if no kind is served
// there.
std::optional<manifests::Object> OpenApiV3Document(const std::string& group, const std::string& version);

}  // namespace moor::api
