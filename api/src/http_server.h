#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor::api {

// The seam between moor's API logic and the HTTP library (cpprestsdk, which is in
// maintenance mode): nothing outside cpprest_http_server.cc sees the library.

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // decoded path, "/api/v1/namespaces/default/pods"
  std::string raw_query;                       // still encoded, without '?'
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote;                          // peer address, for the access log

  // The header's value, or "" (name in lower case).
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Writes the chunks of a streaming (chunked) response.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  // Sends `data` to the client right away. False once the response is over (client gone,
  // server stopping): the producer should return.
  virtual bool Write(std::string_view data) = 0;
  // True while the response can still take data.
  virtual bool Open() const = 0;
};

struct HttpResponse {
  int status = 200;
  std::map<std::string, std::string> headers;  // Content-Type etc.
  std::string body;
  // When set, the response is streamed with chunked encoding: the server calls `stream` on
  // a thread of its own after the headers are sent; the response ends when it returns.
  std::function<void(ChunkWriter&)> stream;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpsServerOptions {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0"
  uint16_t port = 0;
  std::filesystem::path cert_file;  // PEM chain
  std::filesystem::path key_file;   // PEM private key
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Begins serving `handler` (called concurrently from several threads). kUnavailable if
  // the address cannot be bound.
  virtual Status Start(const HttpsServerOptions& options, HttpHandler handler) = 0;
  // Ends every stream (writers report closed; stream functions must return promptly), waits
  // for them, then stops listening. Idempotent.
  virtual void Stop() = 0;
};

// The cpprestsdk implementation. Limit: cpprestsdk cannot listen on port 0 and report the
// port it bound, so callers choose the port (ApiServer probes for a free one).
std::unique_ptr<HttpServer> NewCpprestHttpServer();

}  // namespace moor::api
