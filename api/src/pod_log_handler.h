#pragma once

#include "http_server.h"
#include "moor/api/node_services.h"
#include "moor/api/route.h"
#include "moor/store/store.h"

namespace moor::api {

// Serves GET /api/v1/namespaces/{ns}/pods/{name}/log (Route::Type::kPodLog) as
// kube-apiserver does: the pod must exist in the store, the container is checked and
// defaulted here, then this node's PodLogSource writes the log. The answer is text/plain;
// output that is still coming after a short wait (follow, long logs) is streamed chunked, and
// the source is told to stop when the client goes away. Errors are v1 Status objects whose
// code follows the source's Status (kNotFound 404, kInvalidArgument and kFailedPrecondition
// 400, ...); without a source, 503.
class PodLogHandler {
 public:
  // Neither pointer is owned; `source` may be null (no node agent on this server).
  PodLogHandler(store::Store* store, PodLogSource* source);

  HttpResponse Serve(const HttpRequest& req, const Route& route);

 private:
  store::Store* store_;
  PodLogSource* source_;
};

}  // namespace moor::api
