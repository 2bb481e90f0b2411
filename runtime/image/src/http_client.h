#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"
#include "moor/runtime/registries_config.h"

namespace moor::runtime {

struct HttpRequest {
  std::string method = "GET";        // GET or POST
  std::string url;
  std::vector<std::string> headers;  // "Accept: ...", "Content-Type: ..."
  std::string body;                  // POST body
  std::string username;              // basic auth when non-empty
  std::string password;
  std::string bearer_token;          // "Authorization: Bearer" when non-empty
  RegistryTls tls;
  bool follow_redirects = false;     // http(s) only; credentials are never sent to another host
  // The body of a 2xx response is passed here piece by piece instead of being kept in
  // HttpResponse::body; returning false aborts the transfer (Send then fails with kAborted
  // semantics: kInvalidArgument "transfer aborted by the receiver").
  std::function<bool(std::string_view)> on_body;
  std::size_t max_body = 4 << 20;    // in-memory bodies above this fail with kResourceExhausted
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower case; repeated headers joined by ", "
  std::string body;                            // empty when on_body took a 2xx body

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// One HTTP exchange at a time (not thread-safe); connections are reused between calls.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Any HTTP status is a response; only transport failures (DNS, connect, TLS, reset) are errors,
  // as kUnavailable naming the URL.
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

// libcurl, restricted to http and https.
std::unique_ptr<HttpClient> NewCurlHttpClient();

// Percent-encodes a query parameter value.
std::string UrlEscape(std::string_view text);

}  // namespace moor::runtime
