#pragma once

#include <string>

#include "http_server.h"
#include "moor/api/route.h"
#include "moor/common/clock.h"
#include "moor/common/metrics.h"
#include "moor/manifests/load.h"
#include "moor/store/store.h"
#include "request_body.h"
#include "watch_registry.h"

namespace moor::api {

// Serves the resource paths (Route::Type::kResource): get, list, watch, create, update,
// patch (JSON, merge and strategic merge patches), the same on status, and delete, with
// kube-apiserver's semantics, status codes and Status bodies; writes take ?dryRun=All and
// ?fieldValidation. Objects written through here are parsed, validated and defaulted by manifests/
// and stored with an empty SourceRef (never pruned by a manifest source).
class ResourceHandler {
 public:
  // None of the pointers is owned; all must outlive the handler.
  ResourceHandler(store::Store* store, manifests::LoadOptions load, Clock* clock, WatchRegistry* watches,
                  Gauge* watch_streams);

  // Answers `req` addressed to `route`. *verb is set to the Kubernetes verb served ("get",
  // "list", "watch", "create", "update", "patch", "delete"), for metrics.
  HttpResponse Serve(const HttpRequest& req, const Route& route, std::string* verb);

 private:
  HttpResponse Get(const HttpRequest& req, const Route& route);
  HttpResponse List(const HttpRequest& req, const Route& route, std::string* verb);
  HttpResponse Watch(const HttpRequest& req, const Route& route, const std::string& label_selector,
                     const std::string& field_selector);
  HttpResponse Create(const HttpRequest& req, const Route& route);
  HttpResponse Update(const HttpRequest& req, const Route& route);
  HttpResponse Patch(const HttpRequest& req, const Route& route);
  HttpResponse Delete(const HttpRequest& req, const Route& route);

  // The checked body of a create or update (validated unless it is a status write).
  std::optional<DecodedBody> DecodeBody(const HttpRequest& req, const Route& route, const WriteParams& params,
                                        HttpResponse* error);
  // Writes the object of an update or patch: its status on a status route, else the rest.
  StatusOr<manifests::Object> Write(const Route& route, manifests::Object object, bool dry_run);

  store::Store* store_;
  manifests::LoadOptions load_;
  Clock* clock_;
  WatchRegistry* watches_;
  Gauge* watch_streams_;
};

}  // namespace moor::api
