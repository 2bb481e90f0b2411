#include "probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "moor/testing/process.h"

namespace moor::runtime {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// A TCP listener on 127.0.0.1:<port 0>. With a `response`, a thread accepts connections, reads
// the request head and answers with `response`; without one, nobody accepts (the kernel
// completes connections into the backlog, nothing is ever answered). Closed on destruction.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::optional<std::string> response = std::nullopt) : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(fd_);
      throw std::runtime_error(std::string("listening on 127.0.0.1: ") + std::strerror(errno));
    }
    port_ = ntohs(addr.sin_port);
    if (response_) thread_ = std::thread([this] { Serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) != 1) continue;
      int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      std::string request;
      while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
        pollfd c{conn, POLLIN, 0};
        if (::poll(&c, 1, 2000) != 1) break;
        char buf[1024];
        ssize_t n = ::recv(conn, buf, sizeof(buf), 0);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
      }
      std::size_t sent = 0;
      while (sent < response_->size()) {
        ssize_t n = ::send(conn, response_->data() + sent, response_->size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      ::close(conn);
    }
  }

  std::optional<std::string> response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;  // GUARDED_BY(mu_)
};

std::string Response(int code, const std::string& reason) {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
}

ProbeSpec HttpSpec(int port, const std::string& path = "/healthz") {
  ProbeSpec spec;
  spec.kind = ProbeSpec::Kind::kHttpGet;
  spec.port = port;
  spec.path = path;
  spec.timeout = seconds(2);
  return spec;
}

TEST(ParseProbeTest, DefaultsAndHandlers) {
  const Object container = Object::parse(R"({"name": "app", "ports": [
      {"name": "http", "containerPort": 8080}, {"name": "admin", "containerPort": 9090}], "probes": {
    "exec-defaults": {"exec": {"command": ["cat", "/tmp/healthy"]}},
    "exec-explicit": {"exec": {"command": ["true"]}, "initialDelaySeconds": 5, "periodSeconds": 3,
                      "timeoutSeconds": 2, "successThreshold": 2, "failureThreshold": 7},
    "clamped": {"exec": {"command": ["true"]}, "periodSeconds": 0, "timeoutSeconds": -1,
                "successThreshold": 0, "failureThreshold": 0},
    "http-int": {"httpGet": {"port": 8080}},
    "http-named": {"httpGet": {"port": "admin", "path": "healthz", "scheme": "HTTPS", "host": "10.42.0.5",
                               "httpHeaders": [{"name": "X-Probe", "value": "1"}, {"name": "Host", "value": "web"}]}},
    "http-numeric-string": {"httpGet": {"port": "8081", "path": "/ready"}},
    "tcp": {"tcpSocket": {"port": "http"}}
  }})");
  auto parse = [&](const char* name) {
    Object c = container;
    c["probe"] = container["probes"][name];
    auto spec = ParseProbe(c, "probe");
    EXPECT_TRUE(spec.ok()) << name << ": " << spec.status().ToString();
    EXPECT_TRUE(spec.ok() && spec->has_value()) << name;
    return spec.ok() && spec->has_value() ? **spec : ProbeSpec{};
  };

  ProbeSpec exec = parse("exec-defaults");
  EXPECT_EQ(exec.kind, ProbeSpec::Kind::kExec);
  EXPECT_THAT(exec.command, ElementsAre("cat", "/tmp/healthy"));
  EXPECT_EQ(exec.initial_delay, seconds(0));
  EXPECT_EQ(exec.period, seconds(10));
  EXPECT_EQ(exec.timeout, seconds(1));
  EXPECT_EQ(exec.success_threshold, 1);
  EXPECT_EQ(exec.failure_threshold, 3);

  ProbeSpec explicit_values = parse("exec-explicit");
  EXPECT_EQ(explicit_values.initial_delay, seconds(5));
  EXPECT_EQ(explicit_values.period, seconds(3));
  EXPECT_EQ(explicit_values.timeout, seconds(2));
  EXPECT_EQ(explicit_values.success_threshold, 2);
  EXPECT_EQ(explicit_values.failure_threshold, 7);

  ProbeSpec clamped = parse("clamped");
  EXPECT_EQ(clamped.period, seconds(1));
  EXPECT_EQ(clamped.timeout, seconds(1));
  EXPECT_EQ(clamped.success_threshold, 1);
  EXPECT_EQ(clamped.failure_threshold, 1);

  ProbeSpec http = parse("http-int");
  EXPECT_EQ(http.kind, ProbeSpec::Kind::kHttpGet);
  EXPECT_EQ(http.port, 8080);
  EXPECT_EQ(http.path, "/");
  EXPECT_EQ(http.scheme, "HTTP");
  EXPECT_EQ(http.host, "");
  EXPECT_TRUE(http.headers.empty());

  ProbeSpec named = parse("http-named");
  EXPECT_EQ(named.port, 9090);
  EXPECT_EQ(named.path, "/healthz");
  EXPECT_EQ(named.scheme, "HTTPS");
  EXPECT_EQ(named.host, "10.42.0.5");
  EXPECT_THAT(named.headers, ElementsAre(Pair("X-Probe", "1"), Pair("Host", "web")));

  ProbeSpec numeric = parse("http-numeric-string");
  EXPECT_EQ(numeric.port, 8081);
  EXPECT_EQ(numeric.path, "/ready");

  ProbeSpec tcp = parse("tcp");
  EXPECT_EQ(tcp.kind, ProbeSpec::Kind::kTcpSocket);
  EXPECT_EQ(tcp.port, 8080);
}

TEST(ParseProbeTest, AbsentAndErrors) {
  Object container = Object::parse(R"({"name": "app", "ports": [{"name": "http", "containerPort": 80}]})");
  auto none = ParseProbe(container, "livenessProbe");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  container["livenessProbe"] = nullptr;
  none = ParseProbe(container, "livenessProbe");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  struct Case {
    const char* probe;
    const char* error;
  } cases[] = {
      {R"({})", "livenessProbe: must specify a handler type"},
      {R"({"periodSeconds": 5})", "livenessProbe: must specify a handler type"},
      {R"({"exec": {}})", "livenessProbe.exec.command: Required value"},
      {R"({"exec": {"command": []}})", "livenessProbe.exec.command: Required value"},
      {R"({"httpGet": {"path": "/"}})", "livenessProbe: port is required"},
      {R"({"tcpSocket": {}})", "livenessProbe: port is required"},
      {R"({"httpGet": {"port": "metrics"}})",
       "livenessProbe: port \"metrics\" is not a named port of container app"},
      {R"({"tcpSocket": {"port": "metrics"}})", "is not a named port of container app"},
  };
  for (const Case& c : cases) {
    container["livenessProbe"] = Object::parse(c.probe);
    auto spec = ParseProbe(container, "livenessProbe");
    ASSERT_FALSE(spec.ok()) << c.probe;
    EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument) << c.probe;
    EXPECT_THAT(spec.status().message(), HasSubstr(c.error)) << c.probe;
  }
}

TEST(ProbeTrackerTest, Thresholds) {
  struct Case {
    const char* name;
    int success_threshold;
    int failure_threshold;
    bool initial;
    std::string results;  // 'T' success, 'F' failure
    std::string flips;    // per result: '1' if Record returned true
    bool final_value;
  } cases[] = {
      {"readiness: one success makes ready", 1, 3, false, "T", "1", true},
      {"readiness: two failures keep ready", 1, 3, false, "TFF", "100", true},
      {"readiness: third failure flips", 1, 3, false, "TFFF", "1001", false},
      {"failures must be consecutive", 1, 3, false, "TFFTFF", "100000", true},
      {"success threshold 2", 2, 3, false, "TFTT", "0001", true},
      {"liveness: starts healthy", 1, 3, true, "FFTFFF", "000001", false},
      {"failure threshold 1", 1, 1, true, "FTF", "111", false},
      {"no flip while the value holds", 1, 1, true, "TTT", "000", true},
      {"already failed stays failed", 1, 2, true, "FFFF", "0100", false},
  };
  for (const Case& c : cases) {
    ProbeTracker tracker(c.success_threshold, c.failure_threshold, c.initial);
    EXPECT_EQ(tracker.value(), c.initial) << c.name;
    std::string flips;
    for (char r : c.results) flips += tracker.Record(r == 'T') ? '1' : '0';
    EXPECT_EQ(flips, c.flips) << c.name;
    EXPECT_EQ(tracker.value(), c.final_value) << c.name;
  }
}

TEST(HttpGetProbeTest, StatusCodes) {
  struct Case {
    int code;
    const char* reason;
    bool want;
  } cases[] = {
      {200, "OK", true},         {204, "No Content", true},          {302, "Found", true},
      {399, "Whatever", true},   {400, "Bad Request", false},        {404, "Not Found", false},
      {500, "Internal Server Error", false}, {503, "Service Unavailable", false},
  };
  for (const Case& c : cases) {
    LoopbackServer server(Response(c.code, c.reason));
    std::string detail;
    EXPECT_EQ(HttpGetProbe("127.0.0.1", HttpSpec(server.port()), &detail), c.want) << c.code << ": " << detail;
    if (!c.want) {
      EXPECT_THAT(detail, HasSubstr("statuscode: " + std::to_string(c.code)));
    }
    ASSERT_EQ(server.requests().size(), 1u) << c.code;
  }
}

TEST(HttpGetProbeTest, SendsKubeletsRequest) {
  LoopbackServer server(Response(200, "OK"));
  ProbeSpec spec = HttpSpec(server.port(), "/healthz?full=1");
  spec.headers = {{"X-Probe", "yes"}};
  std::string detail;
  ASSERT_TRUE(HttpGetProbe("127.0.0.1", spec, &detail)) << detail;
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string request = server.requests()[0];
  EXPECT_EQ(request.rfind("GET /healthz?full=1 HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_THAT(request, HasSubstr("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"));
  EXPECT_THAT(request, HasSubstr("\r\nUser-Agent: kube-probe/"));
  EXPECT_THAT(request, HasSubstr("\r\nX-Probe: yes\r\n"));

  // Own Host and User-Agent headers replace the defaults.
  spec.headers = {{"host", "web.local"}, {"User-Agent", "me"}};
  ASSERT_TRUE(HttpGetProbe("127.0.0.1", spec, &detail)) << detail;
  ASSERT_EQ(server.requests().size(), 2u);
  const std::string own = server.requests()[1];
  EXPECT_THAT(own, HasSubstr("\r\nhost: web.local\r\n"));
  EXPECT_THAT(own, HasSubstr("\r\nUser-Agent: me\r\n"));
  EXPECT_THAT(own, ::testing::Not(HasSubstr("Host: 127.0.0.1")));
  EXPECT_THAT(own, ::testing::Not(HasSubstr("kube-probe")));
}

TEST(HttpGetProbeTest, Failures) {
  std::string detail;
  // Nothing listens on a port that was just released.
  int closed = testing::FreeLoopbackPort();
  EXPECT_FALSE(HttpGetProbe("127.0.0.1", HttpSpec(closed), &detail));
  EXPECT_THAT(detail, HasSubstr("127.0.0.1:" + std::to_string(closed)));

  // Not HTTP at all.
  {
    LoopbackServer garbage(std::string("hello there\r\n"));
    detail.clear();
    EXPECT_FALSE(HttpGetProbe("127.0.0.1", HttpSpec(garbage.port()), &detail));
    EXPECT_THAT(detail, HasSubstr("malformed HTTP response"));
  }
  // Connection closed without an answer.
  {
    LoopbackServer silent(std::string(""));
    detail.clear();
    EXPECT_FALSE(HttpGetProbe("127.0.0.1", HttpSpec(silent.port()), &detail));
    EXPECT_FALSE(detail.empty());
  }
  // Accepted by the kernel but never answered: the timeout ends the probe.
  {
    LoopbackServer mute;
    ProbeSpec spec = HttpSpec(mute.port());
    spec.timeout = seconds(1);
    detail.clear();
    EXPECT_FALSE(HttpGetProbe("127.0.0.1", spec, &detail));
    EXPECT_THAT(detail, HasSubstr("Client.Timeout"));
  }
  // HTTPS is not supported: a failure that says so, without connecting.
  {
    LoopbackServer server(Response(200, "OK"));
    ProbeSpec spec = HttpSpec(server.port());
    spec.scheme = "HTTPS";
    detail.clear();
    EXPECT_FALSE(HttpGetProbe("127.0.0.1", spec, &detail));
    EXPECT_THAT(detail, HasSubstr("HTTPS"));
    EXPECT_TRUE(server.requests().empty());
  }
  // Not an IPv4 address.
  detail.clear();
  EXPECT_FALSE(HttpGetProbe("not-an-ip", HttpSpec(80), &detail));
  EXPECT_THAT(detail, HasSubstr("invalid address"));
}

TEST(TcpSocketProbeTest, OpenAndClosedPorts) {
  LoopbackServer open;  // listening; the kernel completes the handshake
  ProbeSpec spec;
  spec.kind = ProbeSpec::Kind::kTcpSocket;
  spec.port = open.port();
  std::string detail;
  EXPECT_TRUE(TcpSocketProbe("127.0.0.1", spec, &detail)) << detail;

  spec.port = testing::FreeLoopbackPort();
  detail.clear();
  EXPECT_FALSE(TcpSocketProbe("127.0.0.1", spec, &detail));
  EXPECT_THAT(detail, HasSubstr("dial tcp 127.0.0.1:" + std::to_string(spec.port)));
}

}  // namespace
}  // namespace moor::runtime
