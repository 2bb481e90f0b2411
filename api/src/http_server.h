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

// The seam between moor's API logic and the HTTP/1.1 + TLS plumbing: https_server.cc (sockets,
// threads, OpenSSL through tls_connection.h) and http_wire.cc (Boost.Beast's parser). Handlers
// see only these types.

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
  std::string host;   // "127.0.0.1", "::1", "0.0.0.0", "::" or a name that resolves locally
  uint16_t port = 0;  // 0: a free port the kernel picks
  std::filesystem::path cert_file;  // PEM chain
  std::filesystem::path key_file;   // PEM private key
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Begins serving `handler` (called concurrently from several threads) and returns the port it
  // listens on. kUnavailable if the address cannot be bound, kInvalidArgument if the
  // certificate or key cannot be used.
  virtual StatusOr<uint16_t> Start(const HttpsServerOptions& options, HttpHandler handler) = 0;
  // Stops accepting, ends every connection and stream (writers report closed; stream functions
  // must return promptly), and returns once no handler runs any more. Idempotent.
  virtual void Stop() = 0;
};

// The implementation on plain sockets: a thread per connection with blocking, deadline-bound
// TLS I/O (a connection idle for 2 minutes between requests is closed), at most 512
// connections at once.
std::unique_ptr<HttpServer> NewHttpsServer();

}  // namespace moor::api
