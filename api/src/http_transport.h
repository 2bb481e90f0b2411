#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor::api {

// The client side of the HTTP seam: nothing outside cpprest_http_transport.cc sees the
// HTTP library.

struct TransportRequest {
  std::string method = "GET";
  std::string path_and_query;                  // already encoded
  std::map<std::string, std::string> headers;
  std::string body;
  int timeout_seconds = 60;                    // inactivity limit
};

struct TransportResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends the request and reads the whole answer. kUnavailable when the server cannot be
  // reached or TLS fails; any HTTP status is a successful exchange.
  virtual StatusOr<TransportResponse> Send(const TransportRequest& request) = 0;
  // Sends the request and hands the body to `on_line` one line at a time (without '\n') as
  // it arrives, until on_line returns false or the body ends. On a non-2xx answer the body
  // is returned whole in the response instead. Returns the status and headers.
  virtual StatusOr<TransportResponse> Stream(const TransportRequest& request,
                                             const std::function<bool(const std::string&)>& on_line) = 0;
  // Like Stream, but hands the body over as it arrives, in chunks of any size (nothing is
  // split into lines or dropped), until on_data returns false or the body ends.
  virtual StatusOr<TransportResponse> StreamData(const TransportRequest& request,
                                                 const std::function<bool(std::string_view)>& on_data) = 0;
};

struct TransportOptions {
  std::string base_url;  // "https://127.0.0.1:6443"
  std::string ca_pem;    // trusted CA ("" = system roots)
};

StatusOr<std::unique_ptr<HttpTransport>> NewCpprestHttpTransport(const TransportOptions& options);

}  // namespace moor::api
