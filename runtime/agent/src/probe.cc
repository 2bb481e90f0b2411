#include "probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "json_fields.h"

namespace moor::runtime {
namespace {

using Clock = std::chrono::steady_clock;

StatusOr<int> ResolvePort(const Object& container, const Object& port, const char* probe) {
  if (port.is_number_integer()) return port.get<int>();
  if (port.is_string()) {
    std::string name = port.get<std::string>();
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) return std::stoi(name);
    const Object& ports = container.contains("ports") ? container["ports"] : Object();
    if (ports.is_array()) {
      for (const Object& p : ports) {
        if (Str(p, "name") == name) return IntOr(p, "containerPort", 0);
      }
    }
    return InvalidArgumentError(std::string(probe) + ": port \"" + name + "\" is not a named port of container " +
                                Str(container, "name"));
  }
  return InvalidArgumentError(std::string(probe) + ": port is required");
}

// A non-blocking connect with a deadline; returns the socket or -1 with *detail set.
int ConnectWithin(const std::string& ip, int port, Clock::time_point deadline, std::string* detail) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    *detail = "invalid address " + ip;
    return -1;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *detail = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 && errno != EINPROGRESS) {
    *detail = "dial tcp " + ip + ":" + std::to_string(port) + ": connect: " + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1) {
    *detail = "dial tcp " + ip + ":" + std::to_string(port) + ": i/o timeout";
    ::close(fd);
    return -1;
  }
  int err = 0;
  socklen_t len = sizeof(err);
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    *detail = "dial tcp " + ip + ":" + std::to_string(port) + ": connect: " + std::strerror(err);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

StatusOr<std::optional<ProbeSpec>> ParseProbe(const Object& container, const char* field) {
  if (!container.is_object() || !container.contains(field) || !container[field].is_object()) {
    return std::optional<ProbeSpec>();
  }
  const Object& p = container[field];
  ProbeSpec spec;
  spec.initial_delay = std::chrono::seconds(IntOr(p, "initialDelaySeconds", 0));
  spec.period = std::chrono::seconds(std::max(1, IntOr(p, "periodSeconds", 10)));
  spec.timeout = std::chrono::seconds(std::max(1, IntOr(p, "timeoutSeconds", 1)));
  spec.success_threshold = std::max(1, IntOr(p, "successThreshold", 1));
  spec.failure_threshold = std::max(1, IntOr(p, "failureThreshold", 3));
  if (p.contains("exec")) {
    spec.kind = ProbeSpec::Kind::kExec;
    const Object& cmd = p["exec"].contains("command") ? p["exec"]["command"] : Object();
    if (cmd.is_array()) {
      for (const Object& c : cmd) {
        if (c.is_string()) spec.command.push_back(c.get<std::string>());
      }
    }
    if (spec.command.empty()) return InvalidArgumentError(std::string(field) + ".exec.command: Required value");
  } else if (p.contains("httpGet")) {
    spec.kind = ProbeSpec::Kind::kHttpGet;
    const Object& h = p["httpGet"];
    MOOR_ASSIGN_OR_RETURN(spec.port, ResolvePort(container, h.contains("port") ? h["port"] : Object(), field));
    if (!Str(h, "path").empty()) spec.path = Str(h, "path");
    if (spec.path.front() != '/') spec.path = "/" + spec.path;
    if (!Str(h, "scheme").empty()) spec.scheme = Str(h, "scheme");
    spec.host = Str(h, "host");
    if (h.contains("httpHeaders") && h["httpHeaders"].is_array()) {
      for (const Object& header : h["httpHeaders"]) spec.headers.emplace_back(Str(header, "name"), Str(header, "value"));
    }
  } else if (p.contains("tcpSocket")) {
    spec.kind = ProbeSpec::Kind::kTcpSocket;
    const Object& t = p["tcpSocket"];
    MOOR_ASSIGN_OR_RETURN(spec.port, ResolvePort(container, t.contains("port") ? t["port"] : Object(), field));
  } else {
    return InvalidArgumentError(std::string(field) + ": must specify a handler type (exec, httpGet or tcpSocket)");
  }
  return std::optional<ProbeSpec>(spec);
}

bool ProbeTracker::Record(bool success) {
  if (success) {
    failures_ = 0;
    if (++successes_ >= success_threshold_ && !value_) {
      value_ = true;
      return true;
    }
  } else {
    successes_ = 0;
    if (++failures_ >= failure_threshold_ && value_) {
      value_ = false;
      return true;
    }
  }
  return false;
}

bool TcpSocketProbe(const std::string& ip, const ProbeSpec& spec, std::string* detail) {
  int fd = ConnectWithin(ip, spec.port, Clock::now() + spec.timeout, detail);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

bool HttpGetProbe(const std::string& ip, const ProbeSpec& spec, std::string* detail) {
  if (spec.scheme != "HTTP") {
    *detail = "httpGet scheme " + spec.scheme + " is not supported by moor yet";
    return false;
  }
  auto deadline = Clock::now() + spec.timeout;
  int fd = ConnectWithin(ip, spec.port, deadline, detail);
  if (fd < 0) return false;
  std::string host_header = ip + ":" + std::to_string(spec.port);
  std::string request = "GET " + spec.path + " HTTP/1.1\r\n";
  bool has_host = false, has_agent = false;
  for (const auto& [k, v] : spec.headers) {
    if (strcasecmp(k.c_str(), "Host") == 0) has_host = true;
    if (strcasecmp(k.c_str(), "User-Agent") == 0) has_agent = true;
    request += k + ": " + v + "\r\n";
  }
  if (!has_host) request += "Host: " + host_header + "\r\n";
  if (!has_agent) request += "User-Agent: kube-probe/1.32\r\n";
  request += "Accept: */*\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  std::string response;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) break;
    if (n > 0) sent += static_cast<std::size_t>(n);
    else {
      pollfd p{fd, POLLOUT, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1) break;
    }
  }
  while (response.find("\r\n") == std::string::npos && response.size() < 4096) {
    pollfd p{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1) break;
    char buf[1024];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    response.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  // "HTTP/1.1 200 OK"
  auto space = response.find(' ');
  if (response.rfind("HTTP/", 0) != 0 || space == std::string::npos || response.size() < space + 4) {
    *detail = "Get \"http://" + host_header + spec.path + "\": " +
              (response.empty() ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                                : "malformed HTTP response");
    return false;
  }
  int code = std::atoi(response.substr(space + 1, 3).c_str());
  if (code >= 200 && code < 400) return true;
  *detail = "HTTP probe failed with statuscode: " + std::to_string(code);
  return false;
}

}  // namespace moor::runtime
