#pragma once

#include <string>

#include "http_server.h"
#include "moor/api/node_services.h"
#include "moor/api/route.h"

namespace moor::api {

// Serves this node's images (Route::Type::kImages) through the ImageService seam:
//   GET    /moor/v1/images              ImageList
//   POST   /moor/v1/images              {"reference": "nginx:1.25"} pulls; answers the Image
//   DELETE /moor/v1/images/<ref or id>  removes; answers a v1 Status "Success"
//   POST   /moor/v1/images:import       {"path": "/srv/app.tar"} (a file on the server's host);
//                                       answers an ImageList of what was imported
//   POST   /moor/v1/images:prune        answers an ImagePruneResult (see image_json.h)
// Errors are v1 Status objects with the service's message and the HTTP code of its Status
// code (HttpCodeFor); without a service, 503 "no node agent on this server".
class ImageHandler {
 public:
  explicit ImageHandler(ImageService* service);  // not owned; may be null

  // *verb is set to the Kubernetes-style verb served, for metrics.
  HttpResponse Serve(const HttpRequest& req, const Route& route, std::string* verb);

 private:
  ImageService* service_;
};

}  // namespace moor::api
