// The only file that knows cpprestsdk's client side. Every cpprestsdk / boost exception is
// caught here and turned into a Status.
#include <cctype>
#include <mutex>

#include <boost/asio/ssl.hpp>
#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>

#include "http_transport.h"

namespace moor::api {
namespace {

using web::http::client::http_client;
using web::http::client::http_client_config;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class CpprestHttpTransport final : public HttpTransport {
 public:
  explicit CpprestHttpTransport(TransportOptions options) : options_(std::move(options)) {}

  StatusOr<TransportResponse> Send(const TransportRequest& request) override {
    try {
      std::shared_ptr<http_client> client = ClientFor(request.timeout_seconds);
      web::http::http_response response = client->request(MakeMessage(request)).get();
      TransportResponse out = Head(response);
      out.body = response.extract_utf8string(true).get();
      return out;
    } catch (const std::exception& e) {
      return Failed(request, std::string(": ") + e.what());
    } catch (...) {
      return Failed(request, " failed");
    }
  }

  StatusOr<TransportResponse> Stream(const TransportRequest& request,
                                     const std::function<bool(const std::string&)>& on_line) override {
    pplx::cancellation_token_source cancel;
    try {
      auto client = MakeClient(request.timeout_seconds);
      web::http::http_response response = client->request(MakeMessage(request), cancel.get_token()).get();
      TransportResponse out = Head(response);
      if (out.status < 200 || out.status > 299) {
        out.body = response.extract_utf8string(true).get();
        return out;
      }
      concurrency::streams::istream body = response.body();
      while (true) {
        concurrency::streams::container_buffer<std::string> line;
        size_t n = body.read_line(line).get();
        if (n == 0 && body.is_eof()) break;
        const std::string& text = line.collection();
        if (text.empty()) continue;
        if (!on_line(text)) {
          cancel.cancel();
          break;
        }
      }
      return out;
    } catch (const std::exception& e) {
      return Failed(request, std::string(": ") + e.what());
    } catch (...) {
      return Failed(request, " failed");
    }
  }

  StatusOr<TransportResponse> StreamData(const TransportRequest& request,
                                         const std::function<bool(std::string_view)>& on_data) override {
    pplx::cancellation_token_source cancel;
    try {
      auto client = MakeClient(request.timeout_seconds);
      web::http::http_response response = client->request(MakeMessage(request), cancel.get_token()).get();
      TransportResponse out = Head(response);
      if (out.status < 200 || out.status > 299) {
        out.body = response.extract_utf8string(true).get();
        return out;
      }
      concurrency::streams::streambuf<uint8_t> body = response.body().streambuf();
      using Traits = concurrency::streams::streambuf<uint8_t>::traits;
      std::string chunk;
      while (true) {
        // One byte (waiting for it), then whatever else has arrived.
        auto first = body.bumpc().get();
        if (first == Traits::eof()) break;
        chunk.assign(1, static_cast<char>(first));
        size_t available = body.in_avail();
        if (available > 0) {
          chunk.resize(1 + available);
          size_t n = body.getn(reinterpret_cast<uint8_t*>(chunk.data() + 1), available).get();
          chunk.resize(1 + n);
        }
        if (!on_data(chunk)) {
          cancel.cancel();
          break;
        }
      }
      return out;
    } catch (const std::exception& e) {
      return Failed(request, std::string(": ") + e.what());
    } catch (...) {
      return Failed(request, " failed");
    }
  }

 private:
  // "GET https://127.0.0.1:6443/api/v1/pods: <what>" as kUnavailable (the library threw).
  Status Failed(const TransportRequest& request, const std::string& what) const {
    return UnavailableError(request.method + " " + options_.base_url + request.path_and_query + what);
  }

  // Requests with the usual timeout share one client (and its pooled TLS connections).
  std::shared_ptr<http_client> ClientFor(int timeout_seconds) {
    if (timeout_seconds != kDefaultTimeoutSeconds) return MakeClient(timeout_seconds);
    std::lock_guard<std::mutex> lock(mu_);
    if (!shared_client_) shared_client_ = MakeClient(kDefaultTimeoutSeconds);
    return shared_client_;
  }

  std::shared_ptr<http_client> MakeClient(int timeout_seconds) {
    http_client_config config;
    config.set_timeout(std::chrono::seconds(timeout_seconds > 0 ? timeout_seconds : 60));
    std::string ca = options_.ca_pem;
    config.set_ssl_context_callback([ca](boost::asio::ssl::context& ctx) {
      if (!ca.empty()) ctx.add_certificate_authority(boost::asio::buffer(ca.data(), ca.size()));
    });
    return std::make_shared<http_client>(web::uri(options_.base_url), config);
  }

  static web::http::http_request MakeMessage(const TransportRequest& request) {
    web::http::http_request msg(request.method);
    msg.set_request_uri(web::uri(request.path_and_query));
    std::string content_type = "application/json";
    for (const auto& [name, value] : request.headers) {
      if (Lower(name) == "content-type") content_type = value;
    }
    if (!request.body.empty()) msg.set_body(request.body, content_type);
    for (const auto& [name, value] : request.headers) msg.headers()[name] = value;
    return msg;
  }

  static TransportResponse Head(const web::http::http_response& response) {
    TransportResponse out;
    out.status = response.status_code();
    for (const auto& [name, value] : response.headers()) out.headers[Lower(name)] = value;
    return out;
  }

  static constexpr int kDefaultTimeoutSeconds = 60;

  TransportOptions options_;
  std::mutex mu_;
  std::shared_ptr<http_client> shared_client_;  // GUARDED_BY(mu_)
};

}  // namespace

StatusOr<std::unique_ptr<HttpTransport>> NewCpprestHttpTransport(const TransportOptions& options) {
  try {
    web::uri uri(options.base_url);
    if (uri.scheme() != "https" && uri.scheme() != "http") {
      return InvalidArgumentError("server URL must be https://host:port, got \"" + options.base_url + "\"");
    }
    if (uri.host().empty()) return InvalidArgumentError("server URL has no host: \"" + options.base_url + "\"");
  } catch (const std::exception& e) {
    return InvalidArgumentError("bad server URL \"" + options.base_url + "\": " + e.what());
  }
  return std::unique_ptr<HttpTransport>(std::make_unique<CpprestHttpTransport>(options));
}

}  // namespace moor::api
