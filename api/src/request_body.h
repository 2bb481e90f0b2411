#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http_server.h"
#include "moor/api/route.h"
#include "moor/manifests/load.h"
#include "moor/manifests/parse.h"

namespace moor::api {

// "v1", "apps/v1": the apiVersion served at `route`.
std::string RouteApiVersion(const Route& route);

// ?fieldValidation of a create, update or patch (kube-apiserver's values). Without it the
// server's own setting decides (`--strict`: unknown fields are errors, else warnings).
enum class FieldValidation { kServerDefault, kIgnore, kWarn, kStrict };

// What a write request asks besides its body.
struct WriteParams {
  bool dry_run = false;  // ?dryRun=All: answer as if written, store nothing
  FieldValidation field_validation = FieldValidation::kServerDefault;
};

// ?dryRun and ?fieldValidation of `req`. On a value kube-apiserver would refuse, *error is the
// 400 answer to send.
std::optional<WriteParams> ParseWriteParams(const HttpRequest& req, HttpResponse* error);

// A create/update body or a patched object, checked against the route, validated and
// defaulted, with the warnings to send (Warning headers).
struct DecodedBody {
  manifests::Object object;
  std::vector<std::string> warnings;
};

// The one object of a JSON, YAML or Kubernetes-protobuf request body (protobuf: the kinds
// kubectl's generator commands send that protobuf_body.h decodes). 415 for other media types and other protobuf kinds, 400 for a body that is
// not exactly one object.
std::optional<manifests::Document> ParseBody(const HttpRequest& req, const manifests::ParseOptions& parse,
                                             HttpResponse* error);

// Checks `doc` against `route` as kube-apiserver does: kind, apiVersion, namespace and name
// must match the URL (name and namespace are filled in from it when missing; generateName is
// expanded on a create). With `validate`, the object is validated for its kind (422 Invalid
// with a cause per field; unknown fields as `field_validation` says: warnings, errors (400) or
// nothing) and defaulted. On failure *error is the answer to send.
std::optional<DecodedBody> CheckBody(manifests::Document doc, const Route& route, const manifests::LoadOptions& load,
                                     bool validate, FieldValidation field_validation, HttpResponse* error);

// Adds `warnings` as RFC 7234 Warning headers (code 299), as kube-apiserver does.
void AddWarnings(HttpResponse& resp, const std::vector<std::string>& warnings);

}  // namespace moor::api
