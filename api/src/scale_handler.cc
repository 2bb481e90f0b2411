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
  // Without a resourceVersion the write applies to what is stored now.
  const bool precondition = !manifests::StringAt(scale, "metadata.resourceVersion").empty();
  return Scale(route, params->dry_run, [&](const Object&, bool* named, HttpResponse*) -> std::optional<Object> {
    *named = precondition;
    return scale;
  });
}

HttpResponse ScaleHandler::Patch(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  std::optional<WriteParams> params = ParseWriteParams(req, &error);
  if (!params) return error;
  std::optional<PatchRequest> patch = DecodePatch(req, &error);
  if (!patch) return error;
  return Scale(route, params->dry_run, [&](const Object& current, bool* named, HttpResponse* failed) {
    std::optional<Object> patched = ApplyPatchRequest(current, *patch, failed);
    if (patched) *named = NamesResourceVersion(current, *patched);
    return patched;
  });
}

HttpResponse ScaleHandler::Scale(const Route& route, bool dry_run, const DesiredScale& desired) {
  for (int attempt = 1;; ++attempt) {
    auto record = store_->Get(KeyOf(route));
    if (!record.ok()) return StoreErrorResponse(record.status(), *route.kind, route.name);
    bool named_rv = false;
    HttpResponse error;
    std::optional<Object> scale = desired(ScaleOf(record->object), &named_rv, &error);
    if (!scale) return error;
    Status conflict;
    HttpResponse resp = Write(route, std::move(record->object), *scale, dry_run, &conflict);
    if (!conflict.ok() && !named_rv && attempt < kPatchAttempts) continue;
    return resp;
  }
}

HttpResponse ScaleHandler::Write(const Route& route, Object workload, const Object& scale, bool dry_run,
                                 Status* conflict) {
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
  store::WriteOp op;
  op.type = store::WriteOp::Type::kUpdate;
  op.object = std::move(workload);
  if (std::string named = manifests::StringAt(scale, "metadata.resourceVersion"); !named.empty()) {
    op.object["metadata"]["resourceVersion"] = named;
  }
  op.object["spec"]["replicas"] = replicas;
  StatusOr<store::OpResult> written = store_->Execute(op, dry_run);
  if (!written.ok()) {
    if (written.status().code() == StatusCode::kConflict) *conflict = written.status();
    return WriteErrorResponse(written.status(), ScaleKind(), name);
  }
  return JsonResponse(200, ScaleOf(written->object));
}

}  // namespace moor::api
