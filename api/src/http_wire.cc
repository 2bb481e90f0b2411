// The only file that knows Boost.Beast. Beast parses; no Beast stream or socket is used.
#include "http_wire.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <optional>

#include "moor/api/route.h"

namespace moor::api {

namespace http = boost::beast::http;

struct RequestParser::Impl {
  RequestLimits limits;
  std::optional<http::request_parser<http::string_body>> parser;
  bool continue_checked = false;
  bool continue_wanted = false;

  void Reset() {
    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(limits.header_bytes));
    parser->body_limit(limits.body_bytes);
    parser->eager(true);
    continue_checked = false;
    continue_wanted = false;
  }
};

RequestParser::RequestParser(RequestLimits limits) : impl_(std::make_unique<Impl>()) {
  impl_->limits = limits;
  impl_->Reset();
}

RequestParser::~RequestParser() = default;

RequestParser::Progress RequestParser::Feed(std::string& buffer) {
  auto& parser = *impl_->parser;
  while (!parser.is_done()) {
    if (buffer.empty()) return Progress::kNeedMore;
    boost::beast::error_code ec;
    size_t used = parser.put(boost::asio::const_buffer(buffer.data(), buffer.size()), ec);
    buffer.erase(0, used);
    if (parser.is_header_done() && !impl_->continue_checked) {
      impl_->continue_checked = true;
      const auto& header = parser.get();
      impl_->continue_wanted = header.version() >= 11 && !parser.is_done() &&
                               boost::beast::iequals(header[http::field::expect], "100-continue");
    }
    if (ec == http::error::need_more) {
      if (used == 0) return Progress::kNeedMore;
      continue;
    }
    if (ec == http::error::body_limit) return Progress::kBodyTooLarge;
    if (ec == http::error::header_limit) return Progress::kHeaderTooLarge;
    if (ec) return Progress::kBad;
  }
  return Progress::kComplete;
}

bool RequestParser::TakeContinueWanted() {
  bool wanted = impl_->continue_wanted && !impl_->parser->is_done();
  impl_->continue_wanted = false;
  return wanted;
}

HttpRequest RequestParser::Take(bool* keep_alive) {
  http::request<http::string_body> message = impl_->parser->release();
  impl_->Reset();
  HttpRequest req;
  req.method = std::string(message.method_string());
  std::string_view target(message.target().data(), message.target().size());
  size_t question = target.find('?');
  req.path = PercentDecode(target.substr(0, question));
  if (question != std::string_view::npos) req.raw_query = std::string(target.substr(question + 1));
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value(field.value());
    auto [it, inserted] = req.headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
  req.body = std::move(message.body());
  if (keep_alive != nullptr) *keep_alive = message.keep_alive();
  return req;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

namespace {

bool SameName(std::string_view a, std::string_view b) {
  return boost::beast::iequals(boost::beast::string_view(a.data(), a.size()),
                               boost::beast::string_view(b.data(), b.size()));
}

bool HasNoBody(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  for (char c : value) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  out.append("\r\n");
}

}  // namespace

std::string ResponseHead(const HttpResponse& response, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " ";
  out.append(ReasonPhrase(response.status));
  out.append("\r\n");
  bool has_type = false;
  for (const auto& [name, value] : response.headers) {
    if (SameName(name, "Content-Length") || SameName(name, "Transfer-Encoding") || SameName(name, "Connection")) {
      continue;
    }
    bool bad_name = name.empty() || name.find_first_of(": \r\n") != std::string::npos;
    if (bad_name) continue;
    has_type = has_type || SameName(name, "Content-Type");
    AppendHeader(out, name, value);
  }
  if (!HasNoBody(response.status)) {
    if (!has_type) AppendHeader(out, "Content-Type", "application/json");
    if (response.stream) {
      AppendHeader(out, "Transfer-Encoding", "chunked");
    } else {
      AppendHeader(out, "Content-Length", std::to_string(response.body.size()));
    }
  }
  if (!keep_alive) AppendHeader(out, "Connection", "close");
  out.append("\r\n");
  return out;
}

std::string SerializeResponse(const HttpResponse& response, bool keep_alive, bool head_request) {
  std::string out = ResponseHead(response, keep_alive);
  if (!head_request && !HasNoBody(response.status)) out.append(response.body);
  return out;
}

std::string Chunk(std::string_view data) {
  char size[24];
  int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string out(size, static_cast<size_t>(n));
  out.append(data);
  out.append("\r\n");
  return out;
}

std::string PlainErrorResponse(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.headers["Content-Type"] = "text/plain; charset=utf-8";
  response.body = std::string(message) + "\n";
  return SerializeResponse(response, false, false);
}

}  // namespace moor::api
