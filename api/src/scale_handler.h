#pragma once

#include <functional>
#include <optional>
#include <string>

#include "http_server.h"
#include "moor/api/route.h"
#include "moor/manifests/object.h"
#include "moor/store/store.h"

namespace moor::api {

// The /scale subresource of Deployments, ReplicaSets and StatefulSets (Route::Type::kScale), as
// kube-apiserver serves it: an autoscaling/v1 Scale whose spec.replicas is the workload's and
// whose status has the workload's status.replicas and its selector as a string. GET reads it;
// PUT and PATCH (the three patch types; kubectl scale sends a merge patch) change the
// workload's spec.replicas and nothing else, with ?dryRun=All and the resourceVersion as a
// precondition when the body names one.
class ScaleHandler {
 public:
  explicit ScaleHandler(store::Store* store) : store_(store) {}  // not owned

  // *verb is set to "get", "update" or "patch".
  HttpResponse Serve(const HttpRequest& req, const Route& route, std::string* verb);

 private:
  HttpResponse Get(const Route& route);
  HttpResponse Update(const HttpRequest& req, const Route& route);
  HttpResponse Patch(const HttpRequest& req, const Route& route);

  // The Scale a request wants, from the workload's current one; *named_rv is set when it names
  // its own resourceVersion (a precondition: no second try). nullopt: *error is the answer.
  using DesiredScale =
      std::function<std::optional<manifests::Object>(const manifests::Object& current, bool* named_rv,
                                                     HttpResponse* error)>;
  // Reads the workload, asks `desired` for the Scale and writes it; runs again (kPatchAttempts)
  // when another write came in between, unless the Scale named a resourceVersion.
  HttpResponse Scale(const Route& route, bool dry_run, const DesiredScale& desired);
  // Sets `workload`'s spec.replicas from `scale` (checked first), as a write made against
  // `scale`'s resourceVersion if it names one, else the workload's. On success the answer is
  // the new Scale.
  HttpResponse Write(const Route& route, manifests::Object workload, const manifests::Object& scale, bool dry_run,
                     Status* conflict);

  store::Store* store_;
};

// The Scale of `workload` (as stored).
manifests::Object ScaleOf(const manifests::Object& workload);

}  // namespace moor::api
