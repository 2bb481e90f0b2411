#include "moor/api/client.h"

#include "http_transport.h"
#include "image_json.h"
#include "moor/api/status_object.h"

namespace moor::api {
namespace {

// Pulls and imports of large images take long; log streams that follow may stay quiet for days.
constexpr int kImageTimeoutSeconds = 3600;
constexpr int kFollowTimeoutSeconds = 30 * 24 * 3600;

constexpr const char* kTableAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

std::string Encode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    out += (out.empty() ? "?" : "&") + k + "=" + Encode(v);
  }
  return out;
}

StatusOr<Object> ParseJson(const TransportResponse& resp) {
  if (resp.status < 200 || resp.status > 299) return StatusFromResponse(resp.status, resp.body);
  Object obj = Object::parse(resp.body, nullptr, false);
  if (obj.is_discarded()) return InternalError("the server sent invalid JSON (HTTP " + std::to_string(resp.status) + ")");
  return obj;
}

StatusOr<const KindInfo*> KindOfObject(const Object& obj) {
  const KindInfo* kind = manifests::FindKind(manifests::ApiVersionOf(obj), manifests::KindOf(obj));
  if (kind == nullptr) {
    return InvalidArgumentError("no kind \"" + manifests::KindOf(obj) + "\" is served for apiVersion \"" +
                                manifests::ApiVersionOf(obj) + "\"");
  }
  return kind;
}

std::string ObjectNamespace(const KindInfo& kind, const Object& obj) {
  if (!kind.namespaced) return "";
  std::string ns = manifests::NamespaceOf(obj);
  return ns.empty() ? "default" : ns;
}

}  // namespace

std::string ResourcePath(const KindInfo& kind, const std::optional<std::string>& ns, const std::string& name) {
  std::string path = kind.group.empty() ? "/api/" + kind.versions.front()
                                        : "/apis/" + kind.group + "/" + kind.versions.front();
  if (kind.namespaced && ns) path += "/namespaces/" + Encode(*ns);
  path += "/" + kind.plural;
  if (!name.empty()) path += "/" + Encode(name);
  return path;
}

ApiClient::ApiClient(Kubeconfig config, std::unique_ptr<HttpTransport> transport)
    : config_(std::move(config)), transport_(std::move(transport)) {}

ApiClient::~ApiClient() = default;

StatusOr<std::unique_ptr<ApiClient>> ApiClient::Create(const Kubeconfig& config) {
  TransportOptions options;
  options.base_url = config.server;
  options.ca_pem = config.ca_pem;
  MOOR_ASSIGN_OR_RETURN(std::unique_ptr<HttpTransport> transport, NewCpprestHttpTransport(options));
  return std::unique_ptr<ApiClient>(new ApiClient(config, std::move(transport)));
}

namespace {

TransportRequest Request(const Kubeconfig& config, const std::string& method, const std::string& path,
                         const std::string& accept = "application/json") {
  TransportRequest r;
  r.method = method;
  r.path_and_query = path;
  r.headers["Accept"] = accept;
  r.headers["User-Agent"] = "moor";
  if (!config.token.empty()) r.headers["Authorization"] = "Bearer " + config.token;
  return r;
}

}  // namespace

StatusOr<Object> ApiClient::Get(const KindInfo& kind, const std::string& ns, const std::string& name) {
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp,
                        transport_->Send(Request(config_, "GET", ResourcePath(kind, ns, name))));
  return ParseJson(resp);
}

StatusOr<Object> ApiClient::List(const KindInfo& kind, const std::optional<std::string>& ns,
                                 const std::string& label_selector, const std::string& field_selector) {
  std::string path = ResourcePath(kind, ns) + Query({{"labelSelector", label_selector}, {"fieldSelector", field_selector}});
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(Request(config_, "GET", path)));
  return ParseJson(resp);
}

StatusOr<Object> ApiClient::Table(const KindInfo& kind, const std::optional<std::string>& ns,
                                  const std::optional<std::string>& name, const std::string& label_selector,
                                  const std::string& field_selector) {
  std::string path = ResourcePath(kind, ns, name.value_or("")) +
                     Query({{"labelSelector", label_selector}, {"fieldSelector", field_selector}});
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(Request(config_, "GET", path, kTableAccept)));
  return ParseJson(resp);
}

StatusOr<Object> ApiClient::SendObject(const std::string& method, const std::string& path, const Object& obj) {
  TransportRequest r = Request(config_, method, path);
  r.headers["Content-Type"] = "application/json";
  r.body = obj.dump();
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(r));
  return ParseJson(resp);
}

StatusOr<Object> ApiClient::Create(const Object& obj) {
  MOOR_ASSIGN_OR_RETURN(const KindInfo* kind, KindOfObject(obj));
  return SendObject("POST", ResourcePath(*kind, ObjectNamespace(*kind, obj)), obj);
}

StatusOr<Object> ApiClient::Update(const Object& obj) {
  MOOR_ASSIGN_OR_RETURN(const KindInfo* kind, KindOfObject(obj));
  return SendObject("PUT", ResourcePath(*kind, ObjectNamespace(*kind, obj), manifests::NameOf(obj)), obj);
}

StatusOr<Object> ApiClient::UpdateStatus(const Object& obj) {
  MOOR_ASSIGN_OR_RETURN(const KindInfo* kind, KindOfObject(obj));
  return SendObject("PUT", ResourcePath(*kind, ObjectNamespace(*kind, obj), manifests::NameOf(obj)) + "/status", obj);
}

StatusOr<Object> ApiClient::Delete(const KindInfo& kind, const std::string& ns, const std::string& name,
                                   const DeleteOptions& options) {
  TransportRequest r = Request(config_, "DELETE", ResourcePath(kind, ns, name));
  r.headers["Content-Type"] = "application/json";
  Object body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Background"}};
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (!options.precondition_uid.empty()) body["preconditions"]["uid"] = options.precondition_uid;
  if (options.precondition_rv) body["preconditions"]["resourceVersion"] = std::to_string(*options.precondition_rv);
  r.body = body.dump();
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(r));
  return ParseJson(resp);
}

Status ApiClient::Watch(const KindInfo& kind, const std::optional<std::string>& ns, const std::string& resource_version,
                        const std::function<bool(const ClientWatchEvent&)>& on_event, int timeout_seconds,
                        const std::string& label_selector, const std::string& field_selector) {
  std::string path = ResourcePath(kind, ns) + Query({{"watch", "true"},
                                                     {"resourceVersion", resource_version},
                                                     {"timeoutSeconds", timeout_seconds > 0 ? std::to_string(timeout_seconds) : ""},
                                                     {"labelSelector", label_selector},
                                                     {"fieldSelector", field_selector}});
  TransportRequest r = Request(config_, "GET", path);
  r.timeout_seconds = (timeout_seconds > 0 ? timeout_seconds : 1800) + 60;
  Status stream_error;
  auto on_line = [&](const std::string& line) {
    Object event = Object::parse(line, nullptr, false);
    if (event.is_discarded() || !event.is_object()) {
      stream_error = InternalError("the server sent an invalid watch event: " + line.substr(0, 200));
      return false;
    }
    ClientWatchEvent ev;
    ev.type = event.value("type", "");
    if (event.contains("object")) ev.object = event["object"];
    if (ev.type == "ERROR") {
      int code = ev.object.is_object() ? ev.object.value("code", 500) : 500;
      stream_error = StatusFromResponse(code, ev.object.dump());
      return false;
    }
    return on_event(ev);
  };
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Stream(r, on_line));
  if (resp.status < 200 || resp.status > 299) return StatusFromResponse(resp.status, resp.body);
  return stream_error;
}

StatusOr<Object> ApiClient::Version() {
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(Request(config_, "GET", "/version")));
  return ParseJson(resp);
}

StatusOr<Object> ApiClient::SourceStatus() {
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(Request(config_, "GET", "/moor/v1/status")));
  return ParseJson(resp);
}

Status ApiClient::StreamLogs(const PodLogRequest& request, const std::function<bool(std::string_view)>& sink) {
  const KindInfo* pod = manifests::FindKindByKind("Pod");
  if (pod == nullptr) return InternalError("the Pod kind is not registered");
  std::string path = ResourcePath(*pod, request.ns.empty() ? "default" : request.ns, request.pod) + "/log" +
                     Query({{"container", request.container},
                            {"follow", request.follow ? "true" : ""},
                            {"previous", request.previous ? "true" : ""},
                            {"timestamps", request.timestamps ? "true" : ""},
                            {"tailLines", request.tail_lines ? std::to_string(*request.tail_lines) : ""},
                            {"sinceTime", request.since ? FormatRfc3339Micro(*request.since) : ""}});
  TransportRequest r = Request(config_, "GET", path, "*/*");
  if (request.follow) r.timeout_seconds = kFollowTimeoutSeconds;
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->StreamData(r, sink));
  if (resp.status < 200 || resp.status > 299) return StatusFromResponse(resp.status, resp.body);
  return Status::Ok();
}

StatusOr<std::vector<ImageSummary>> ApiClient::ListImages() {
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(Request(config_, "GET", "/moor/v1/images")));
  MOOR_ASSIGN_OR_RETURN(Object list, ParseJson(resp));
  return ImageListFromJson(list);
}

StatusOr<ImageSummary> ApiClient::PullImage(const std::string& reference) {
  TransportRequest r = Request(config_, "POST", "/moor/v1/images");
  r.headers["Content-Type"] = "application/json";
  r.body = Object{{"reference", reference}}.dump();
  r.timeout_seconds = kImageTimeoutSeconds;
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(r));
  MOOR_ASSIGN_OR_RETURN(Object image, ParseJson(resp));
  return ImageFromJson(image);
}

Status ApiClient::RemoveImage(const std::string& reference_or_id) {
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp,
                        transport_->Send(Request(config_, "DELETE", "/moor/v1/images/" + Encode(reference_or_id))));
  return ParseJson(resp).status();
}

StatusOr<std::vector<ImageSummary>> ApiClient::ImportImage(const std::string& path_on_server) {
  TransportRequest r = Request(config_, "POST", "/moor/v1/images:import");
  r.headers["Content-Type"] = "application/json";
  r.body = Object{{"path", path_on_server}}.dump();
  r.timeout_seconds = kImageTimeoutSeconds;
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(r));
  MOOR_ASSIGN_OR_RETURN(Object list, ParseJson(resp));
  return ImageListFromJson(list);
}

StatusOr<std::vector<std::string>> ApiClient::PruneImages() {
  TransportRequest r = Request(config_, "POST", "/moor/v1/images:prune");
  r.timeout_seconds = kImageTimeoutSeconds;
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(r));
  MOOR_ASSIGN_OR_RETURN(Object result, ParseJson(resp));
  return PruneResultFromJson(result);
}

StatusOr<std::string> ApiClient::RawGet(const std::string& path_and_query) {
  MOOR_ASSIGN_OR_RETURN(TransportResponse resp, transport_->Send(Request(config_, "GET", path_and_query, "*/*")));
  if (resp.status < 200 || resp.status > 299) return StatusFromResponse(resp.status, resp.body);
  return resp.body;
}

}  // namespace moor::api
