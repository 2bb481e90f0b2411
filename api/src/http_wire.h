#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "http_server.h"

namespace moor::api {

// HTTP/1.1 on the wire, without sockets: requests are parsed with Boost.Beast's parser (only
// http_wire.cc includes Beast), responses are framed here.

struct RequestLimits {
  size_t header_bytes = 1 << 20;     // as Go's http.Server (kube-apiserver)
  size_t body_bytes = 3 * 1024 * 1024;  // kube-apiserver's request body limit
};

// Reads requests, one after another, from the bytes of one connection.
class RequestParser {
 public:
  enum class Progress {
    kNeedMore,        // feed more bytes
    kComplete,        // Take() the request
    kBad,             // malformed: answer 400 and close
    kBodyTooLarge,    // answer 413 and close
    kHeaderTooLarge,  // answer 431 and close
  };

  explicit RequestParser(RequestLimits limits = {});
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses from the front of `buffer` and erases what it used; bytes of a next (pipelined)
  // request stay in `buffer`.
  Progress Feed(std::string& buffer);
  // True once per request whose header asked for "Expect: 100-continue" and whose body is still
  // to come: the caller sends ContinueLine() before reading on.
  bool TakeContinueWanted();
  // The complete request (path decoded, query still encoded, header names in lower case, repeated
  // headers joined with ", "). `*keep_alive` is whether the client wants the connection kept.
  // Resets the parser for the next request.
  HttpRequest Take(bool* keep_alive);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string_view ReasonPhrase(int status);

// The status line and headers of `response`: Content-Length for a body, chunked transfer
// encoding when it streams (no body at all for 1xx/204/304). Content-Type defaults to
// application/json; the handler's own framing headers (Content-Length, Transfer-Encoding,
// Connection) are replaced; CR and LF in values become spaces.
std::string ResponseHead(const HttpResponse& response, bool keep_alive);
// The bytes of a whole response without a stream (HEAD requests get the head only).
std::string SerializeResponse(const HttpResponse& response, bool keep_alive, bool head_request);
// One chunk of a chunked body (`data` must not be empty: an empty chunk ends the body).
std::string Chunk(std::string_view data);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
inline constexpr std::string_view kContinueLine = "HTTP/1.1 100 Continue\r\n\r\n";

// A short plain-text answer the server gives on its own (400, 413, 431, 503), closing.
std::string PlainErrorResponse(int status, std::string_view message);

}  // namespace moor::api
