#include "resource_handler.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "moor/api/field_selector.h"
#include "moor/api/table.h"
#include "moor/common/files.h"
#include "moor/manifests/parse.h"
#include "moor/manifests/selector.h"
#include "responses.h"

namespace moor::api {
namespace {

using manifests::Object;

constexpr int kDefaultWatchTimeoutSeconds = 1800;  // kube-apiserver's --min-request-timeout

std::string RouteApiVersion(const Route& route) {
  return route.group.empty() ? route.version : route.group + "/" + route.version;
}

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

std::string QualifiedKind(const manifests::KindInfo& kind) {
  return kind.group.empty() ? kind.kind : kind.kind + "." + kind.group;
}

// "abc12"-style suffix for generateName, from kube's alphabet without vowels.
std::string RandomSuffix() {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string hex = RandomHex(5);
  std::string out;
  for (size_t i = 0; i < 5; ++i) {
    int byte = std::stoi(hex.substr(2 * i, 2), nullptr, 16);
    out.push_back(kAlphabet[byte % (sizeof(kAlphabet) - 1)]);
  }
  return out;
}

// A store error of a write. The store's 409 messages are kube-apiserver's own and say more
// than the generic ones (which precondition failed, that the object is being deleted), so they
// are sent as they are; everything else as StoreErrorResponse words it.
HttpResponse WriteErrorResponse(const Status& status, const manifests::KindInfo& kind, const std::string& name) {
  if (status.code() != StatusCode::kAlreadyExists && status.code() != StatusCode::kConflict) {
    return StoreErrorResponse(status, kind, name);
  }
  StatusDetails details;
  details.name = name;
  details.group = kind.group;
  details.kind = kind.plural;
  return StatusResponse(409, status.code() == StatusCode::kAlreadyExists ? "AlreadyExists" : "Conflict",
                        status.message(), details);
}

// The object of a create/update body, checked against the route, validated and defaulted.
// On failure *error is the answer to send.
struct DecodedBody {
  Object object;
  std::vector<std::string> warnings;
};

std::optional<DecodedBody> DecodeBody(const HttpRequest& req, const Route& route, const manifests::LoadOptions& load,
                                      bool validate, HttpResponse* error) {
  // JSON and YAML only (kube-apiserver also takes protobuf, which kubectl's generator commands
  // such as `kubectl create configmap` send): say so instead of a YAML syntax error.
  std::string type = req.Header("content-type");
  type = type.substr(0, type.find(';'));
  if (!type.empty() && type != "application/json" && type != "application/yaml" &&
      type != "application/merge-patch+json" && type.find("json") == std::string::npos &&
      type.find("yaml") == std::string::npos) {
    *error = StatusResponse(415, "UnsupportedMediaType",
                            "the body of the request was in an unknown format - accepted media types include: "
                            "application/json, application/yaml (moor does not take " + type +
                                "; use kubectl create -f FILE or moor apply)");
    return std::nullopt;
  }
  manifests::ParsedFile parsed = manifests::ParseContent("request body", req.body, load.parse);
  if (!parsed.ok() || parsed.documents.size() != 1 || !parsed.documents[0].object.is_object()) {
    std::string message;
    for (const auto& d : parsed.diagnostics) {
      if (d.severity == manifests::Severity::kError) message += (message.empty() ? "" : "; ") + d.ToString();
    }
    if (message.empty()) message = "the request body must be exactly one object";
    *error = StatusResponse(400, "BadRequest", message);
    return std::nullopt;
  }
  manifests::Document doc = std::move(parsed.documents[0]);
  Object& obj = doc.object;
  const manifests::KindInfo& kind = *route.kind;
  if (manifests::KindOf(obj) != kind.kind) {
    *error = StatusResponse(400, "BadRequest",
                            "the kind of the provided object (" + manifests::KindOf(obj) +
                                ") does not match the resource in the URL (" + kind.plural + ")");
    return std::nullopt;
  }
  std::string api_version = manifests::ApiVersionOf(obj);
  const manifests::KindInfo* body_kind = manifests::FindKind(api_version, kind.kind);
  if (body_kind == nullptr || body_kind->group != kind.group) {
    *error = StatusResponse(400, "BadRequest",
                            "the API version in the data (" + api_version +
                                ") does not match the expected API version (" + RouteApiVersion(route) + ")");
    return std::nullopt;
  }
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = Object::object();
  Object& meta = obj["metadata"];
  if (kind.namespaced) {
    std::string body_ns = manifests::NamespaceOf(obj);
    if (!body_ns.empty() && route.ns && body_ns != *route.ns) {
      *error = StatusResponse(400, "BadRequest",
                              "the namespace of the provided object does not match the namespace sent on the request");
      return std::nullopt;
    }
    if (body_ns.empty() && route.ns) meta["namespace"] = *route.ns;
  } else {
    meta.erase("namespace");
  }
  if (!route.name.empty()) {
    std::string body_name = manifests::NameOf(obj);
    if (body_name.empty()) {
      meta["name"] = route.name;
    } else if (body_name != route.name) {
      *error = StatusResponse(400, "BadRequest",
                              "the name of the object (" + body_name + ") does not match the name on the URL (" +
                                  route.name + ")");
      return std::nullopt;
    }
  } else if (manifests::NameOf(obj).empty() && meta.contains("generateName") && meta["generateName"].is_string()) {
    meta["name"] = meta["generateName"].get<std::string>() + RandomSuffix();
  }

  DecodedBody out;
  if (validate) {
    std::vector<manifests::Diagnostic> diagnostics = manifests::Validate(doc, "request body", load);
    StatusDetails details;
    details.name = manifests::NameOf(obj);
    details.group = kind.group;
    details.kind = kind.kind;
    std::vector<std::string> messages;
    for (const auto& d : diagnostics) {
      std::string text = d.field.empty() ? d.message : d.field + ": " + d.message;
      if (d.severity == manifests::Severity::kWarning) {
        out.warnings.push_back(text);
        continue;
      }
      details.causes.push_back(StatusCause{"FieldValueInvalid", d.field, d.message});
      messages.push_back(text);
    }
    if (!messages.empty()) {
      std::string joined;
      for (const auto& m : messages) joined += (joined.empty() ? "" : ", ") + m;
      if (messages.size() > 1) joined = "[" + joined + "]";
      *error = StatusResponse(422, "Invalid",
                              QualifiedKind(kind) + " \"" + details.name + "\" is invalid: " + joined, details);
      return std::nullopt;
    }
    manifests::ApplyDefaults(obj);
  }
  out.object = std::move(obj);
  return out;
}

void AddWarnings(HttpResponse& resp, const std::vector<std::string>& warnings) {
  std::string value;
  for (const auto& w : warnings) {
    std::string escaped;
    for (char c : w) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c == '\n' ? ' ' : c);
    }
    value += (value.empty() ? "" : ", ") + std::string("299 - \"") + escaped + "\"";
  }
  if (!value.empty()) resp.headers["Warning"] = value;
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

HttpResponse ResourceHandler::Create(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  auto body = DecodeBody(req, route, load_, true, &error);
  if (!body) return error;
  const Object& meta = body->object["metadata"];
  if (meta.contains("resourceVersion") && !(meta["resourceVersion"].is_string() &&
                                            meta["resourceVersion"].get<std::string>().empty())) {
    return StatusResponse(400, "BadRequest", "resourceVersion should not be set on objects to be created");
  }
  auto created = store_->Create(body->object, store::SourceRef{});
  if (!created.ok()) return WriteErrorResponse(created.status(), *route.kind, manifests::NameOf(body->object));
  HttpResponse resp = JsonResponse(201, Present(*created, route));
  AddWarnings(resp, body->warnings);
  return resp;
}

HttpResponse ResourceHandler::Update(const HttpRequest& req, const Route& route) {
  HttpResponse error;
  auto body = DecodeBody(req, route, load_, !route.status, &error);
  if (!body) return error;
  auto updated = route.status ? store_->UpdateStatus(body->object) : store_->Update(body->object);
  if (!updated.ok()) return WriteErrorResponse(updated.status(), *route.kind, route.name);
  HttpResponse resp = JsonResponse(200, Present(*updated, route));
  AddWarnings(resp, body->warnings);
  return resp;
}

namespace {

// metav1.DeleteOptions from a DELETE: the JSON body, else the query (as kube-apiserver reads
// them). On failure *error is the answer to send.
std::optional<store::DeleteOptions> DecodeDeleteOptions(const HttpRequest& req, HttpResponse* error) {
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
  std::optional<store::DeleteOptions> options = DecodeDeleteOptions(req, &error);
  if (!options) return error;
  store::ObjectKey key{route.kind->kind, route.kind->namespaced ? route.ns.value_or("") : "", route.name};
  // A bound Pod is only marked (deletionTimestamp) unless the grace is 0; the answer is the
  // object either way, as kube-apiserver's for pods.
  auto deleted = store_->Delete(key, *options);
  if (!deleted.ok()) return WriteErrorResponse(deleted.status(), *route.kind, route.name);
  return JsonResponse(200, Present(deleted->object, route));
}

}  // namespace moor::api
