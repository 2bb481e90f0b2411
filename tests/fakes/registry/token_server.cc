#include "token_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/files.h"

namespace moor::testing {
namespace {

std::string Base64(std::string_view in, bool url) {
  const char* table = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned int acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += table[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += table[(acc << (6 - bits)) & 63];
  if (!url) {
    while (out.size() % 4 != 0) out += '=';
  }
  return out;
}

std::string Base64Decode(std::string_view in) {
  std::string out;
  unsigned int acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* p = std::strchr(table, c);
    if (c == '=' || p == nullptr || c == '\0') break;
    acc = (acc << 6) | static_cast<unsigned int>(p - table);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string UrlDecode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size()) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::string Response(int code, const std::string& reason, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason +
         "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

}  // namespace

StatusOr<std::unique_ptr<TokenServer>> TokenServer::Start(const std::filesystem::path& cert_path, std::string username,
                                                          std::string password) {
  MOOR_ASSIGN_OR_RETURN(std::unique_ptr<TestCertificate> key, TestCertificate::Create("moor test token signer"));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(cert_path, key->cert_pem()));
  std::unique_ptr<TokenServer> server(new TokenServer(std::move(key), std::move(username), std::move(password)));
  server->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(server->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(server->listen_fd_, 16) != 0 ||
      ::getsockname(server->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return UnavailableError(std::string("token server: listening on 127.0.0.1: ") + std::strerror(errno));
  }
  server->port_ = ntohs(addr.sin_port);
  if (::pipe2(server->stop_pipe_, O_CLOEXEC) != 0) return UnavailableError("token server: pipe failed");
  server->thread_ = std::thread([s = server.get()] { s->Serve(); });
  return server;
}

TokenServer::TokenServer(std::unique_ptr<TestCertificate> key, std::string username, std::string password)
    : key_(std::move(key)), username_(std::move(username)), password_(std::move(password)) {}

TokenServer::~TokenServer() {
  if (thread_.joinable()) {
    char byte = 0;
    (void)!::write(stop_pipe_[1], &byte, 1);
    thread_.join();
  }
  for (int fd : {listen_fd_, stop_pipe_[0], stop_pipe_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void TokenServer::Serve() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents & POLLIN) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Handle(fd);
      ::close(fd);
    }
  }
}

void TokenServer::Handle(int fd) {
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return;
    request.append(buf, static_cast<std::size_t>(n));
  }
  std::string response = Answer(request);
  std::string_view out = response;
  while (!out.empty()) {
    ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    out.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string TokenServer::Answer(const std::string& request) {
  using nlohmann::json;
  // Request line: GET /token?query HTTP/1.1
  std::size_t sp1 = request.find(' ');
  std::size_t sp2 = request.find(' ', sp1 + 1);
  std::string target = request.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string query = target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
  std::string service;
  std::vector<std::string> scopes;
  for (std::size_t start = 0; start <= query.size();) {
    std::size_t amp = query.find('&', start);
    std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    std::size_t eq = pair.find('=');
    std::string key = pair.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : UrlDecode(pair.substr(eq + 1));
    if (key == "service") service = value;
    if (key == "scope") {
      for (std::size_t s = 0; s <= value.size();) {  // several scopes may share one parameter
        std::size_t space = value.find(' ', s);
        std::string one = value.substr(s, space == std::string::npos ? std::string::npos : space - s);
        if (!one.empty()) scopes.push_back(one);
        if (space == std::string::npos) break;
        s = space + 1;
      }
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  std::string user;
  std::string pass;
  bool has_auth = false;
  std::string lower = request;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t auth = lower.find("\r\nauthorization: basic ");
  if (auth != std::string::npos) {
    std::size_t start = auth + std::strlen("\r\nauthorization: basic ");
    std::string decoded = Base64Decode(request.substr(start, request.find("\r\n", start) - start));
    std::size_t colon = decoded.find(':');
    if (colon != std::string::npos) {
      has_auth = true;
      user = decoded.substr(0, colon);
      pass = decoded.substr(colon + 1);
    }
  }
  if (!has_auth) return Response(401, "Unauthorized", R"({"details":"authentication required"})");
  if (user != username_ || pass != password_) {
    return Response(401, "Unauthorized", R"({"details":"incorrect username or password"})");
  }
  json access = json::array();
  for (const std::string& scope : scopes) {
    std::size_t first = scope.find(':');
    std::size_t last = scope.rfind(':');
    if (first == std::string::npos || first == last) continue;
    json actions = json::array();
    std::string list = scope.substr(last + 1);
    for (std::size_t s = 0; s <= list.size();) {
      std::size_t comma = list.find(',', s);
      actions.push_back(list.substr(s, comma == std::string::npos ? std::string::npos : comma - s));
      if (comma == std::string::npos) break;
      s = comma + 1;
    }
    access.push_back({{"type", scope.substr(0, first)}, {"name", scope.substr(first + 1, last - first - 1)},
                      {"actions", actions}});
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", {Base64(key_->cert_der(), false)}}};
  json claims = {{"iss", kIssuer}, {"sub", user},      {"aud", service.empty() ? kService : service},
                 {"exp", now + 3600}, {"nbf", now - 60}, {"iat", now},
                 {"jti", RandomHex(8)}, {"access", access}};
  std::string input = Base64(header.dump(), true) + "." + Base64(claims.dump(), true);
  std::string token = input + "." + Base64(key_->SignRs256(input), true);
  json body = {{"token", token}, {"access_token", token}, {"expires_in", 3600}};
  return Response(200, "OK", body.dump());
}

}  // namespace moor::testing
