#include "resource_handler.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "moor/api/field_selector.h"
#include "moor/api/table.h"
#include "moor/manifests/parse.h"
#include "moor/manifests/selector.h"
#include "patch_request.h"
#include "request_body.h"
#include "responses.h"

namespace moor::api {
namespace {

using manifests::Object;

constexpr int kDefaultWatchTimeoutSeconds = 1800;  // kube-apiserver's --min-request-timeout

// The object as served at this route: apiVersion and kind set (items of lists too).
Object Present(Object obj, const Route& route) {
  obj["apiVersion"] = RouteApiVersion(route);
  obj["kind"] = route.kind->kind;
  return obj;
}

bool WantsTable(const HttpRequest& req) { return req.Header("accept").find("as=Table") != std::string::npos; }

IncludeObject IncludeFrom(const std::map<std::string, std::string>& query) {
  auto it = query.find("includeObject");
  if (it == query.end()) return IncludeObject::kMetadata;
  if (it->second == "None") return IncludeObject::kNone;
  if (it->second == "Object") return IncludeObject::kObject;
  return IncludeObject::kMetadata;
}


std::string WatchEventType(store::WatchEvent::Type type) {
  switch (type) {
    case store::WatchEvent::Type::kAdded: return "ADDED";
    case store::WatchEvent::Type::kModified: return "MODIFIED";
    case store::WatchEvent::Type::kDeleted: return "DELETED";
  }
  return "MODIFIED";
}

}  // namespace

ResourceHandler::ResourceHandler(store::Store* store, manifests::LoadOptions load, Clock* clock,
                                 WatchRegistry* watches, Gauge* watch_streams)
    : store_(store), load_(std::move(load)), clock_(clock), watches_(watches), watch_streams_(watch_streams) {}

HttpResponse ResourceHandler::Serve(const HttpRequest& req, const Route& route, std::string* verb) {
  const std::string& m = req.method;
  if (route.status) {
    if (m == "GET") {
      *verb = "get";
      return Get(req, route);
    }
    if (m == "PUT") {
      *verb = "update";
      return Update(req, route);
    }
    if (m == "PATCH") {
      *verb = "patch";
      return Patch(req, route);
    }
  } else if (route.name.empty()) {
    if (m == "GET") return List(req, route, verb);
    if (m == "POST") {
      *verb = "create";
      if (route.kind->namespaced && !route.ns) {
        return StatusResponse(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      }
      return Create(req, route);
    }
  } else {
    if (m == "GET") {
      *verb = "get";
      return Get(req, route);
    }
    if (m == "PUT") {
      *verb = "update";
      return Update(req, route);
    }
    if (m == "PATCH") {
      *verb = "patch";
      return Patch(req, route);
    }
    if (m == "DELETE") {
      *verb = "delete";
      return Delete(req, route);
    }
  }
  *verb = "unknown";
  return StatusResponse(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

HttpResponse ResourceHandler::Get(const HttpRequest& req, const Route& route) {
  store::ObjectKey key{route.kind->kind, route.kind->namespaced ? route.ns.value_or("") : "", route.name};
  auto record = store_->Get(key);
  if (!record.ok()) return StoreErrorResponse(record.status(), *route.kind, route.name);
  Object obj = Present(record->object, route);
  if (WantsTable(req) && !route.status) {
    std::string rv;
    if (obj["metadata"].contains("resourceVersion") && obj["metadata"]["resourceVersion"].is_string()) {
      rv = obj["metadata"]["resourceVersion"].get<std::string>();
    }
    return JsonResponse(200, BuildTable(route.kind->kind, {obj}, clock_->Now(), IncludeFrom(ParseQuery(req.raw_query)), rv));
  }
  return JsonResponse(200, obj);
}

HttpResponse ResourceHandler::List(const HttpRequest& req, const Route& route, std::string* verb) {
  std::map<std::string, std::string> query = ParseQuery(req.raw_query);
  std::string label_text = query.count("labelSelector") ? query["labelSelector"] : "";
  std::string field_text = query.count("fieldSelector") ? query["fieldSelector"] : "";
  if (QueryFlag(query, "watch")) {
    *verb = "watch";
    return Watch(req, route, label_text, field_text);
  }
  *verb = "list";
  auto labels = manifests::LabelSelector::Parse(label_text);
  if (!labels.ok()) return StatusResponse(400, "BadRequest", "unable to parse requirement: " + labels.status().message());
  auto fields = FieldSelector::Parse(field_text, route.kind->kind);
  if (!fields.ok()) return StatusResponse(400, "BadRequest", fields.status().message());

  store::ListOptions options;
  options.kind = route.kind->kind;
  if (route.kind->namespaced) options.ns = route.ns;
  auto result = store_->List(options);
  if (!result.ok()) return StoreErrorResponse(result.status(), *route.kind, "");
  std::vector<Object> items;
  for (const auto& record : result->items) {
    if (!labels->Matches(manifests::LabelsOf(record.object))) continue;
    if (!fields->Matches(record.object)) continue;
    items.push_back(Present(record.object, route));
  }
  std::string rv = std::to_string(result->resource_version);
  if (WantsTable(req)) {
    return JsonResponse(200, BuildTable(route.kind->kind, items, clock_->Now(), IncludeFrom(query), rv));
  }
  Object list = {{"kind", route.kind->kind + "List"},
                 {"apiVersion", RouteApiVersion(route)},
                 {"metadata", {{"resourceVersion", rv}}},
                 {"items", Object::array()}};
  for (auto& item : items) list["items"].push_back(std::move(item));
  return JsonResponse(200, list);
}

HttpResponse ResourceHandler::Watch(const HttpRequest& req, const Route& route, const std::string& label_text,
                                    const std::string& field_text) {
  std::map<std::string, std::string> query = ParseQuery(req.raw_query);
  auto labels = manifests::LabelSelector::Parse(label_text);
  if (!labels.ok()) return StatusResponse(400, "BadRequest", "unable to parse requirement: " + labels.status().message());
  auto fields = FieldSelector::Parse(field_text, route.kind->kind);
  if (!fields.ok()) return StatusResponse(400, "BadRequest", fields.status().message());
  int timeout_seconds = kDefaultWatchTimeoutSeconds;
  if (query.count("timeoutSeconds")) {
    try {
      timeout_seconds = std::stoi(query["timeoutSeconds"]);
    } catch (...) {
      return StatusResponse(400, "BadRequest", "invalid timeoutSeconds: " + query["timeoutSeconds"]);
    }
    if (timeout_seconds <= 0) timeout_seconds = kDefaultWatchTimeoutSeconds;
  }
  std::string rv_text = query.count("resourceVersion") ? query["resourceVersion"] : "";
  int64_t from_rv = 0;
  std::vector<Object> initial;
  store::WatchOptions options;
  options.kind = route.kind->kind;
  if (route.kind->namespaced) options.ns = route.ns;
  if (rv_text.empty() || rv_text == "0") {
    store::ListOptions list_options;
    list_options.kind = route.kind->kind;
    list_options.ns = options.ns;
    auto result = store_->List(list_options);
    if (!result.ok()) return StoreErrorResponse(result.status(), *route.kind, "");
    for (const auto& record : result->items) initial.push_back(record.object);
    from_rv = result->resource_version;
  } else {
    try {
      size_t used = 0;
      from_rv = std::stoll(rv_text, &used);
      if (used != rv_text.size() || from_rv < 0) throw std::invalid_argument("rv");
    } catch (...) {
      return StatusResponse(400, "BadRequest", "invalid resource version: " + rv_text);
    }
  }
  options.from_rv = from_rv;
  std::shared_ptr<store::Watcher> watcher;
  Status watch_error;
  auto created = store_->Watch(options);
  if (created.ok()) {
    watcher = std::shared_ptr<store::Watcher>(std::move(created).value().release());
  } else if (created.status().code() == StatusCode::kGone) {
    watch_error = created.status();
  } else {
    return StoreErrorResponse(created.status(), *route.kind, "");
  }

  bool table = WantsTable(req);
  IncludeObject include = IncludeFrom(query);
  HttpResponse resp;
  resp.status = 200;
  resp.headers["Content-Type"] = "application/json";
  resp.headers["Cache-Control"] = "no-cache, private";
  Clock* clock = clock_;
  WatchRegistry* registry = watches_;
  Gauge* gauge = watch_streams_;
  std::string kind_name = route.kind->kind;
  Route r = route;
  auto matches = [labels = *labels, fields = *fields](const Object& obj) {
    return labels.Matches(manifests::LabelsOf(obj)) && fields.Matches(obj);
  };
  resp.stream = [=, initial = std::move(initial)](ChunkWriter& writer) {
    bool first_table = true;
    auto render = [&](const std::string& type, const Object& raw) {
      Object obj = Present(raw, r);
      if (table) {
        std::string rv = obj["metadata"].value("resourceVersion", "");
        obj = BuildTable(kind_name, {obj}, clock->Now(), include, rv);
        if (!first_table) obj["columnDefinitions"] = Object::array();
        first_table = false;
      }
      Object event = {{"type", type}, {"object", obj}};
      return event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    };
    auto expired = [&](const Status& s) {
      Object status = FailureStatus(410, "Expired", s.message());
      Object event = {{"type", "ERROR"}, {"object", status}};
      writer.Write(event.dump() + "\n");
    };
    if (!watcher) {
      expired(watch_error);
      return;
    }
    if (!registry->Add(watcher)) return;
    gauge->Add(1);
    for (const auto& obj : initial) {
      if (matches(obj) && !writer.Write(render("ADDED", obj))) break;
    }
    MonoTime deadline = clock->Monotonic() + std::chrono::seconds(timeout_seconds);
    while (writer.Open()) {
      MonoTime now = clock->Monotonic();
      if (now >= deadline) break;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      auto next = watcher->Next(std::min(left, std::chrono::milliseconds(500)));
      if (!next.ok()) {
        if (next.status().code() == StatusCode::kGone) expired(next.status());
        break;
      }
      if (!next->has_value()) continue;
      const store::WatchEvent& ev = **next;
      if (!matches(ev.object)) continue;
      if (!writer.Write(render(WatchEventType(ev.type), ev.object))) break;
    }
    gauge->Add(-1);
    registry->Remove(watcher);
    watcher->Stop();
  };
  return resp;
}

std::optional<DecodedBody> ResourceHandler::DecodeBody(const HttpRequest& req, const Route& route,
                                                      const WriteParams& params, HttpResponse* error) {
  std::optional<manifests::Document> doc = ParseBody(req, load_.parse, error);
  if (!doc) return std::nullopt;
  return CheckBody(std::move(*doc), route, load_, !route.status, params.field_validation, error);
}

HttpResponse ResourceHandler::Create(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  std::optional<WriteParams> params = ParseWriteParams(req, &error);
  if (!params) return error;
  auto body = DecodeBody(req, route, *params, &error);
  if (!body) return error;
  const Object& meta = body->object["metadata"];
  if (meta.contains("resourceVersion") && !(meta["resourceVersion"].is_string() &&
                                            meta["resourceVersion"].get<std::string>().empty())) {
    return StatusResponse(400, "BadRequest", "resourceVersion should not be set on objects to be created");
  }
  store::WriteOp op;
  op.type = store::WriteOp::Type::kCreate;
  op.object = std::move(body->object);
  op.source = store::SourceRef{};
  auto created = store_->Execute(op, params->dry_run);
  if (!created.ok()) return WriteErrorResponse(created.status(), *route.kind, manifests::NameOf(op.object));
  HttpResponse resp = JsonResponse(201, Present(created->object, route));
  AddWarnings(resp, body->warnings);
  return resp;
}

StatusOr<Object> ResourceHandler::Write(const Route& route, Object object, bool dry_run) {
  if (route.status) {
    if (dry_run) return InvalidArgumentError("moor does not take dryRun for a status write");
    return store_->UpdateStatus(object);
  }
  store::WriteOp op;
  op.type = store::WriteOp::Type::kUpdate;
  op.object = std::move(object);
  MOOR_ASSIGN_OR_RETURN(store::OpResult result, store_->Execute(op, dry_run));
  return std::move(result.object);
}

HttpResponse ResourceHandler::Update(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  std::optional<WriteParams> params = ParseWriteParams(req, &error);
  if (!params) return error;
  auto body = DecodeBody(req, route, *params, &error);
  if (!body) return error;
  auto updated = Write(route, std::move(body->object), params->dry_run);
  if (!updated.ok()) return WriteErrorResponse(updated.status(), *route.kind, route.name);
  HttpResponse resp = JsonResponse(200, Present(*updated, route));
  AddWarnings(resp, body->warnings);
  return resp;
}

HttpResponse ResourceHandler::Patch(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  std::optional<WriteParams> params = ParseWriteParams(req, &error);
  if (!params) return error;
  std::optional<PatchRequest> patch = DecodePatch(req, &error);
  if (!patch) return error;
  store::ObjectKey key{route.kind->kind, route.kind->namespaced ? route.ns.value_or("") : "", route.name};
  for (int attempt = 1;; ++attempt) {
    auto record = store_->Get(key);
    if (!record.ok()) return StoreErrorResponse(record.status(), *route.kind, route.name);
    const Object current = Present(std::move(record->object), route);
    std::optional<Object> patched = ApplyPatchRequest(current, *patch, &error);
    if (!patched) return error;
    const bool precondition = NamesResourceVersion(current, *patched);
    manifests::Document doc;
    doc.object = std::move(*patched);
    std::optional<DecodedBody> body =
        CheckBody(std::move(doc), route, load_, !route.status, params->field_validation, &error);
    if (!body) return error;
    StatusOr<Object> written = Write(route, std::move(body->object), params->dry_run);
    if (!written.ok() && written.status().code() == StatusCode::kConflict && !precondition &&
        attempt < kPatchAttempts) {
      continue;
    }
    if (!written.ok()) return WriteErrorResponse(written.status(), *route.kind, route.name);
    HttpResponse resp = JsonResponse(200, Present(*written, route));
    AddWarnings(resp, body->warnings);
    return resp;
  }
}

namespace {

// metav1.DeleteOptions from a DELETE: the JSON body, else the query (as kube-apiserver reads
// them); *body_dry_run is set when the body asks for a dry run. On failure *error is the
// answer to send.
std::optional<store::DeleteOptions> DecodeDeleteOptions(const HttpRequest& req, bool* body_dry_run,
                                                        HttpResponse* error) {
  store::DeleteOptions out;
  auto bad = [&](const std::string& message) {
    *error = StatusResponse(400, "BadRequest", message);
    return std::nullopt;
  };
  if (!req.body.empty()) {
    Object options = Object::parse(req.body, nullptr, false);
    if (options.is_discarded() || !options.is_object()) return bad("the request body is not valid DeleteOptions");
    const Object& grace = manifests::FieldAt(options, "gracePeriodSeconds");
    if (grace.is_number_integer()) {
      out.grace_period_seconds = grace.get<int64_t>();
    } else if (!grace.is_null()) {
      return bad("DeleteOptions.gracePeriodSeconds must be an integer");
    }
    const Object& rv = manifests::FieldAt(options, "preconditions.resourceVersion");
    if (rv.is_string() && !rv.get<std::string>().empty()) {
      out.precondition_rv = ParseInt64(rv.get<std::string>());
      if (!out.precondition_rv) return bad("invalid resourceVersion precondition");
    }
    out.precondition_uid = manifests::StringAt(options, "preconditions.uid");
    // kubectl delete --dry-run=server sends it here, not in the query.
    const Object& dry_run = manifests::FieldAt(options, "dryRun");
    if (dry_run.is_array()) {
      for (const auto& value : dry_run) {
        if (value != "All") return bad("Invalid dry run value: " + value.dump() + " (moor takes All)");
        *body_dry_run = true;
      }
    } else if (!dry_run.is_null()) {
      return bad("DeleteOptions.dryRun must be a list");
    }
  }
  std::map<std::string, std::string> query = ParseQuery(req.raw_query);
  if (!out.grace_period_seconds && query.count("gracePeriodSeconds")) {
    out.grace_period_seconds = ParseInt64(query["gracePeriodSeconds"]);
    if (!out.grace_period_seconds) return bad("invalid gracePeriodSeconds: " + query["gracePeriodSeconds"]);
  }
  return out;
}

}  // namespace

HttpResponse ResourceHandler::Delete(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  std::optional<WriteParams> params = ParseWriteParams(req, &error);
  if (!params) return error;
  bool body_dry_run = false;
  std::optional<store::DeleteOptions> options = DecodeDeleteOptions(req, &body_dry_run, &error);
  if (!options) return error;
  params->dry_run = params->dry_run || body_dry_run;
  store::ObjectKey key{route.kind->kind, route.kind->namespaced ? route.ns.value_or("") : "", route.name};
  // A bound Pod is only marked (deletionTimestamp) unless the grace is 0; the answer is the
  // object either way, as kube-apiserver's for pods.
  auto deleted = store_->Execute(store::DeleteOp(key, *options), params->dry_run);
  if (!deleted.ok()) return WriteErrorResponse(deleted.status(), *route.kind, route.name);
  if (route.kind->kind == "Namespace" && deleted->action == store::OpResult::Action::kUnchanged) {
    // Deleting a Namespace that is already being emptied: kube-apiserver's answer.
    return WriteErrorResponse(ConflictError("Operation cannot be fulfilled on namespaces \"" + route.name +
                                            "\": The system is ensuring all content is removed from this "
                                            "namespace.  Upon completion, this namespace will automatically be "
                                            "purged by the system."),
                              *route.kind, route.name);
  }
  return JsonResponse(200, Present(deleted->object, route));
}

}  // namespace moor::api
