#include "moor/api/api_server.h"

#include <chrono>

#include "discovery.h"
#include "openapi.h"
#include "scale_handler.h"
#include "http_server.h"
#include "image_handler.h"
#include "moor/api/route.h"
#include "moor/api/tls.h"
#include "moor/common/log.h"
#include "moor/common/metrics.h"
#include "pod_log_handler.h"
#include "resource_handler.h"
#include "responses.h"
#include "source_status.h"
#include "watch_registry.h"

namespace moor::api {
namespace {

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

StatusOr<ListenAddress> ParseListen(const std::string& listen) {
  ListenAddress out;
  std::string port_text;
  if (!listen.empty() && listen[0] == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return InvalidArgumentError("listen address must be host:port, got \"" + listen + "\"");
    }
    out.host = listen.substr(1, close - 1);
    port_text = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return InvalidArgumentError("listen address must be host:port, got \"" + listen + "\"");
    }
    out.host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
  }
  try {
    size_t used = 0;
    int port = std::stoi(port_text, &used);
    if (used != port_text.size() || port < 0 || port > 65535) throw std::out_of_range("port");
    out.port = static_cast<uint16_t>(port);
  } catch (...) {
    return InvalidArgumentError("bad port in listen address \"" + listen + "\"");
  }
  return out;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::string& other = a.size() == b.size() ? b : a;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ other[i]);
  return diff == 0;
}

}  // namespace

class ApiServerImpl {
 public:
  explicit ApiServerImpl(ApiServerOptions options)
      : options_(std::move(options)),
        clock_(options_.clock != nullptr ? options_.clock : &SystemClock()),
        watch_streams_(MetricsRegistry::Default().GetGauge("moor_watch_streams", "Open API watch streams.")),
        resources_(options_.store, options_.load, clock_, &watches_, &watch_streams_),
        pod_logs_(options_.store, options_.logs),
        scale_(options_.store),
        images_(options_.images) {}

  ~ApiServerImpl() { Stop(); }

  Status Start() {
    if (options_.store == nullptr) return InvalidArgumentError("ApiServerOptions.store is required");
    if (options_.token.empty()) return InvalidArgumentError("ApiServerOptions.token is required");
    if (options_.tls_dir.empty()) return InvalidArgumentError("ApiServerOptions.tls_dir is required");
    MOOR_ASSIGN_OR_RETURN(ListenAddress addr, ParseListen(options_.listen));
    host_ = addr.host;
    MOOR_ASSIGN_OR_RETURN(ServingCertificates certs, EnsureServingCertificates(options_.tls_dir, {addr.host}));
    ca_pem_ = certs.ca_pem;
    HttpsServerOptions server_options;
    server_options.host = addr.host;
    server_options.cert_file = certs.serving_cert;
    server_options.key_file = certs.serving_key;
    server_options.port = addr.port;
    http_ = NewHttpsServer();
    auto port = http_->Start(server_options, [this](const HttpRequest& req) { return Handle(req); });
    if (!port.ok()) {
      http_.reset();
      return port.status();
    }
    port_ = *port;
    LogInfo("API server listening", {{"url", url()}});
    return Status::Ok();
  }

  void Stop() {
    watches_.StopAll();
    if (http_) {
      http_->Stop();
      http_.reset();
    }
  }

  uint16_t port() const { return port_; }
  std::string url() const {
    std::string host = host_;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "https://" + host + ":" + std::to_string(port_);
  }
  const std::string& ca_pem() const { return ca_pem_; }

 private:
  HttpResponse Handle(const HttpRequest& req) {
    MonoTime start = clock_->Monotonic();
    std::string verb = req.method == "GET" ? "get" : req.method;
    for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    HttpResponse resp = Dispatch(req, &verb);
    double seconds = std::chrono::duration<double>(clock_->Monotonic() - start).count();
    auto& metrics = MetricsRegistry::Default();
    metrics.GetCounter("moor_api_requests_total", "API requests by verb and HTTP code.",
                       {{"verb", verb}, {"code", std::to_string(resp.status)}})
        .Inc();
    metrics
        .GetHistogram("moor_api_request_duration_seconds", "API request latency (watch: until the stream starts).",
                      {{"verb", verb}})
        .Observe(seconds);
    LogDebug("api request", {{"verb", verb},
                             {"method", req.method},
                             {"path", req.path},
                             {"query", req.raw_query},
                             {"code", std::to_string(resp.status)},
                             {"seconds", std::to_string(seconds)},
                             {"remote", req.remote}});
    return resp;
  }

  HttpResponse Dispatch(const HttpRequest& req, std::string* verb) {
    Route route = ParseRoute(req.path);
    if (route.type == Route::Type::kHealth) {
      HttpResponse ok;
      ok.headers["Content-Type"] = "text/plain; charset=utf-8";
      ok.body = "ok";
      return ok;
    }
    std::string auth = req.Header("authorization");
    const std::string prefix = "Bearer ";
    if (auth.size() <= prefix.size() || auth.compare(0, prefix.size(), prefix) != 0 ||
        !ConstantTimeEquals(auth.substr(prefix.size()), options_.token)) {
      return StatusResponse(401, "Unauthorized", "Unauthorized");
    }
    if (route.type == Route::Type::kPodLog) return pod_logs_.Serve(req, route);
    if (route.type == Route::Type::kScale) return scale_.Serve(req, route, verb);
    if (route.type == Route::Type::kImages) return images_.Serve(req, route, verb);
    if (route.type == Route::Type::kNotFound) return NotFoundResponse();  // whatever the method
    if (route.type != Route::Type::kResource && req.method != "GET") {
      return StatusResponse(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
    switch (route.type) {
      case Route::Type::kNotFound:
      case Route::Type::kHealth:
        return NotFoundResponse();
      case Route::Type::kVersion:
        return JsonResponse(200, VersionInfo());
      case Route::Type::kMetrics: {
        HttpResponse r;
        r.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8";
        r.body = MetricsRegistry::Default().Render();
        return r;
      }
      case Route::Type::kMoorStatus: {
        auto status = SourceStatusJson(*options_.store, options_.sources);
        if (!status.ok()) {
          return StatusResponse(500, "InternalError", "Internal error occurred: " + status.status().message());
        }
        return JsonResponse(200, *status);
      }
      case Route::Type::kCoreVersions: {
        std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
        return JsonResponse(200, CoreApiVersions(host + ":" + std::to_string(port_)));
      }
      case Route::Type::kGroupList:
        return JsonResponse(200, ApiGroupList());
      case Route::Type::kGroupVersion: {
        auto list = ApiResourceList(route.group, route.version);
        return list ? JsonResponse(200, *list) : NotFoundResponse();
      }
      case Route::Type::kOpenApiIndex:
        return JsonResponse(200, OpenApiV3Index());
      case Route::Type::kOpenApiDoc: {
        auto doc = OpenApiV3Document(route.group, route.version);
        return doc ? JsonResponse(200, *doc) : NotFoundResponse();
      }
      case Route::Type::kResource:
        return resources_.Serve(req, route, verb);
      case Route::Type::kPodLog:
      case Route::Type::kScale:
      case Route::Type::kImages:
        break;  // served above
    }
    return NotFoundResponse();
  }

  ApiServerOptions options_;
  Clock* clock_;
  Gauge& watch_streams_;
  WatchRegistry watches_;
  ResourceHandler resources_;
  PodLogHandler pod_logs_;
  ScaleHandler scale_;
  ImageHandler images_;
  std::unique_ptr<HttpServer> http_;
  std::string host_;
  uint16_t port_ = 0;
  std::string ca_pem_;
};

StatusOr<std::unique_ptr<ApiServer>> ApiServer::Start(ApiServerOptions options) {
  auto impl = std::make_unique<ApiServerImpl>(std::move(options));
  MOOR_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

ApiServer::ApiServer(std::unique_ptr<ApiServerImpl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() { Stop(); }
uint16_t ApiServer::port() const { return impl_->port(); }
std::string ApiServer::url() const { return impl_->url(); }
const std::string& ApiServer::ca_pem() const { return impl_->ca_pem(); }
void ApiServer::Stop() { impl_->Stop(); }

}  // namespace moor::api
