#include "image_handler.h"

#include "image_json.h"
#include "moor/api/status_object.h"
#include "responses.h"

namespace moor::api {
namespace {

HttpResponse ErrorFor(const Status& status) {
  int code = HttpCodeFor(status.code());
  return StatusResponse(code, ReasonForHttpCode(code), status.message());
}

HttpResponse MethodNotAllowed() {
  return StatusResponse(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

// The string field `key` of a JSON object body; kInvalidArgument naming the expected shape.
StatusOr<std::string> BodyField(const std::string& body, const std::string& key, const std::string& example) {
  manifests::Object obj = manifests::Object::parse(body, nullptr, false);
  if (obj.is_discarded() || !obj.is_object() || !obj.contains(key) || !obj[key].is_string() ||
      obj[key].get<std::string>().empty()) {
    return InvalidArgumentError("the request body must be {\"" + key + "\": \"" + example + "\"}");
  }
  return obj[key].get<std::string>();
}

}  // namespace

ImageHandler::ImageHandler(ImageService* service) : service_(service) {}

HttpResponse ImageHandler::Serve(const HttpRequest& req, const Route& route, std::string* verb) {
  const std::string& m = req.method;
  if (route.action.empty() && route.name.empty()) {
    if (m == "GET") *verb = "list";
    else if (m == "POST") *verb = "create";
    else return MethodNotAllowed();
  } else if (!route.name.empty()) {
    if (m != "DELETE") return MethodNotAllowed();
    *verb = "delete";
  } else {
    if (m != "POST") return MethodNotAllowed();
    *verb = route.action;
  }
  if (service_ == nullptr) return StatusResponse(503, "ServiceUnavailable", "no node agent on this server");

  if (!route.name.empty()) {
    Status removed = service_->Remove(route.name);
    if (!removed.ok()) return ErrorFor(removed);
    StatusDetails details;
    details.name = route.name;
    details.kind = "images";
    return JsonResponse(200, SuccessStatus(details));
  }
  if (route.action == "prune") {
    auto deleted = service_->Prune();
    if (!deleted.ok()) return ErrorFor(deleted.status());
    return JsonResponse(200, PruneResultToJson(*deleted));
  }
  if (route.action == "import") {
    auto path = BodyField(req.body, "path", "/path/to/image.tar");
    if (!path.ok()) return ErrorFor(path.status());
    auto imported = service_->Import(*path);
    if (!imported.ok()) return ErrorFor(imported.status());
    return JsonResponse(200, ImageListToJson(*imported));
  }
  if (m == "POST") {
    auto reference = BodyField(req.body, "reference", "nginx:1.25");
    if (!reference.ok()) return ErrorFor(reference.status());
    auto pulled = service_->Pull(*reference);
    if (!pulled.ok()) return ErrorFor(pulled.status());
    return JsonResponse(200, ImageToJson(*pulled));
  }
  auto images = service_->List();
  if (!images.ok()) return ErrorFor(images.status());
  return JsonResponse(200, ImageListToJson(*images));
}

}  // namespace moor::api
