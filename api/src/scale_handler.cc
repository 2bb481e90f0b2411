#include "scale_handler.h"

#include "moor/manifests/selector.h"
#include "patch_request.h"
#include "request_body.h"
#include "responses.h"

namespace moor::api {
namespace {

using manifests::Object;

// What kube-apiserver reports a Scale's errors as (its group is autoscaling).
const manifests::KindInfo& ScaleKind() {
  static const manifests::KindInfo kind = [] {
    manifests::KindInfo k;
    k.group = "autoscaling";
    k.versions = {"v1"};
    k.kind = "Scale";
    k.plural = "scale";
    return k;
  }();
  return kind;
}

store::ObjectKey KeyOf(const Route& route) { return {route.kind->kind, route.ns.value_or(""), route.name}; }

}  // namespace

Object ScaleOf(const Object& workload) {
  Object meta = Object::object();
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    const Object& value = manifests::FieldAt(workload, std::string("metadata.") + field);
    if (!value.is_null()) meta[field] = value;
  }
  const Object& replicas = manifests::FieldAt(workload, "spec.replicas");
  const Object& current = manifests::FieldAt(workload, "status.replicas");
  Object status = {{"replicas", current.is_number_integer() ? current : Object(0)}};
  auto selector = manifests::LabelSelector::FromObject(manifests::FieldAt(workload, "spec.selector"));
  if (selector.ok()) status["selector"] = selector->ToString();
  return {{"apiVersion", "autoscaling/v1"},
          {"kind", "Scale"},
          {"metadata", meta},
          {"spec", {{"replicas", replicas.is_number_integer() ? replicas : Object(1)}}},
          {"status", status}};
}

HttpResponse ScaleHandler::Serve(const HttpRequest& req, const Route& route, std::string* verb) {
  if (req.method == "GET") {
    *verb = "get";
    return Get(route);
  }
  if (req.method == "PUT") {
    *verb = "update";
    return Update(req, route);
  }
  if (req.method == "PATCH") {
    *verb = "patch";
    return Patch(req, route);
  }
  *verb = "unknown";
  return StatusResponse(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

HttpResponse ScaleHandler::Get(const Route& route) {
  auto record = store_->Get(KeyOf(route));
  if (!record.ok()) return StoreErrorResponse(record.status(), *route.kind, route.name);
  return JsonResponse(200, ScaleOf(record->object));
}

HttpResponse ScaleHandler::Update(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  std::optional<WriteParams> params = ParseWriteParams(req, &error);
  if (!params) return error;
  Object scale = Object::parse(req.body, nullptr, false);
  if (scale.is_discarded() || !scale.is_object()) return StatusResponse(400, "BadRequest", "the body is not a JSON Scale");
  // Without a resourceVersion the write applies to what is stored now (again, should another
  // write come in between).
  const bool precondition = !manifests::StringAt(scale, "metadata.resourceVersion").empty();
  for (int attempt = 1;; ++attempt) {
    Status conflict;
    HttpResponse resp = Write(route, scale, params->dry_run, &conflict);
    if (!conflict.ok() && !precondition && attempt < kPatchAttempts) continue;
    return resp;
  }
}

HttpResponse ScaleHandler::Patch(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  std::optional<WriteParams> params = ParseWriteParams(req, &error);
  if (!params) return error;
  std::optional<PatchRequest> patch = DecodePatch(req, &error);
  if (!patch) return error;
  for (int attempt = 1;; ++attempt) {
    auto record = store_->Get(KeyOf(route));
    if (!record.ok()) return StoreErrorResponse(record.status(), *route.kind, route.name);
    const Object current = ScaleOf(record->object);
    std::optional<Object> patched = ApplyPatchRequest(current, *patch, &error);
    if (!patched) return error;
    const bool precondition = NamesResourceVersion(current, *patched);
    Status conflict;
    HttpResponse resp = Write(route, *patched, params->dry_run, &conflict);
    if (!conflict.ok() && !precondition && attempt < kPatchAttempts) continue;
    return resp;
  }
}

HttpResponse ScaleHandler::Write(const Route& route, const Object& scale, bool dry_run, Status* conflict) {
  const Object& replicas = manifests::FieldAt(scale, "spec.replicas");
  const std::string name = route.name;
  if (!replicas.is_number_integer() || replicas.get<int64_t>() < 0 || replicas.get<int64_t>() > INT32_MAX) {
    StatusDetails details;
    details.name = name;
    details.group = "autoscaling";
    details.kind = "Scale";
    details.causes.push_back(StatusCause{"FieldValueInvalid", "spec.replicas", "must be an integer >= 0"});
    return StatusResponse(422, "Invalid",
                          "Scale.autoscaling \"" + name + "\" is invalid: spec.replicas: Invalid value: " +
                              replicas.dump() + ": must be greater than or equal to 0",
                          details);
  }
  const std::string named_rv = manifests::StringAt(scale, "metadata.resourceVersion");
  auto record = store_->Get(KeyOf(route));
  if (!record.ok()) return StoreErrorResponse(record.status(), *route.kind, route.name);
  store::WriteOp op;
  op.type = store::WriteOp::Type::kUpdate;
  op.object = std::move(record->object);
  const std::string stored_rv = manifests::StringAt(op.object, "metadata.resourceVersion");
  if (!named_rv.empty()) op.object["metadata"]["resourceVersion"] = named_rv;
  op.object["spec"]["replicas"] = replicas;
  StatusOr<store::OpResult> written = store_->Execute(op, dry_run);
  if (!written.ok()) {
    if (written.status().code() == StatusCode::kConflict) *conflict = written.status();
    return WriteErrorResponse(written.status(), ScaleKind(), name);
  }
  // A dry run takes no resourceVersion (kube-apiserver answers the one it was made against).
  if (dry_run) written->object["metadata"]["resourceVersion"] = stored_rv;
  return JsonResponse(200, ScaleOf(written->object));
}

}  // namespace moor::api
