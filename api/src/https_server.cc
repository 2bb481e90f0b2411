// HttpServer on plain sockets: an accept thread, and a thread per connection that reads a
// request, calls the handler, writes the answer (or runs its stream) and waits for the next.
// Every blocking call has a deadline, and Stop() interrupts them all, so Stop() always returns.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

#include "http_server.h"
#include "http_wire.h"
#include "moor/common/log.h"
#include "tls_connection.h"

namespace moor::api {
namespace {

using Clock = TlsConnection::Clock;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kIdleTimeout = std::chrono::minutes(2);     // between requests on a kept connection
constexpr auto kRequestTimeout = std::chrono::minutes(1);  // from a request's first byte to its end
constexpr auto kWriteTimeout = std::chrono::minutes(1);    // per response write (a client that stopped reading)
constexpr size_t kMaxConnections = 512;
constexpr size_t kReadChunk = 16 * 1024;

// "ip" of a peer address (what the access log shows).
std::string PeerAddress(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof(text));
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text, sizeof(text));
  }
  return text;
}

// A listening, non-blocking socket on host:port and the port it got.
StatusOr<std::pair<int, uint16_t>> Listen(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) return UnavailableError("cannot listen on " + where + ": " + gai_strerror(rc));
  std::string error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    uint16_t got = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6&>(bound).sin6_port)
                                               : ntohs(reinterpret_cast<sockaddr_in&>(bound).sin_port);
    ::freeaddrinfo(found);
    return std::make_pair(fd, got);
  }
  ::freeaddrinfo(found);
  return UnavailableError("cannot listen on " + where + ": " + error);
}

// One accepted connection and the thread that serves it.
struct Connection {
  std::unique_ptr<TlsConnection> tls;  // reset (under the server's lock) when the thread ends
  std::atomic<bool> stopping{false};
  std::atomic<bool> finished{false};
  std::thread thread;
};

// The chunked body of one streaming response.
class ChunkedWriter final : public ChunkWriter {
 public:
  explicit ChunkedWriter(Connection* c) : c_(c) {}
  bool Write(std::string_view data) override {
    if (!Open()) return false;
    if (data.empty()) return true;  // an empty chunk would end the body
    if (!c_->tls->WriteAll(Chunk(data), Clock::now() + kWriteTimeout).ok()) failed_ = true;
    return !failed_;
  }
  bool Open() const override { return !failed_ && !c_->stopping.load() && !c_->tls->PeerGone(); }
  bool failed() const { return failed_; }

 private:
  Connection* c_;
  bool failed_ = false;
};

class SocketHttpsServer final : public HttpServer {
 public:
  ~SocketHttpsServer() override { Stop(); }

  StatusOr<uint16_t> Start(const HttpsServerOptions& options, HttpHandler handler) override {
    if (listen_fd_ >= 0) return FailedPreconditionError("the HTTPS server is already started");
    MOOR_ASSIGN_OR_RETURN(tls_, TlsServerContext::Load(options.cert_file, options.key_file));
    MOOR_ASSIGN_OR_RETURN(auto listening, Listen(options.host, options.port));
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
      ::close(listening.first);
      return UnavailableError(std::string("eventfd: ") + std::strerror(errno));
    }
    handler_ = std::move(handler);
    listen_fd_ = listening.first;
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    return listening.second;
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_ || listen_fd_ < 0) {
        stopped_ = true;
        return;
      }
      stopped_ = true;
    }
    uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof(one)) < 0) LogWarn("waking the HTTPS accept thread failed");
    if (accept_thread_.joinable()) accept_thread_.join();
    ::close(listen_fd_);
    ::close(wake_fd_);
    std::list<std::shared_ptr<Connection>> connections;
    {
      std::lock_guard<std::mutex> lock(mu_);
      connections.swap(connections_);
      for (auto& c : connections) {
        c->stopping.store(true);
        if (c->tls) c->tls->Interrupt();
      }
    }
    for (auto& c : connections) c->thread.join();
  }

 private:
  void AcceptLoop() {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    while (true) {
      int n = ::poll(fds, 2, -1);
      if (n < 0 && errno != EINTR) {
        LogError("HTTPS accept loop: poll failed", {{"error", std::strerror(errno)}});
        return;
      }
      if (fds[1].revents != 0) return;
      if (n <= 0 || fds[0].revents == 0) continue;
      sockaddr_storage peer{};
      socklen_t len = sizeof(peer);
      int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          LogWarn("HTTPS server cannot accept", {{"error", std::strerror(errno)}});
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        continue;
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      std::lock_guard<std::mutex> lock(mu_);
      ReapFinishedLocked();
      if (connections_.size() >= kMaxConnections) {
        LogWarn("HTTPS server at its connection limit; closing a new connection",
                {{"limit", std::to_string(kMaxConnections)}});
        ::close(fd);
        continue;
      }
      auto c = std::make_shared<Connection>();
      c->tls = std::make_unique<TlsConnection>(tls_, fd, PeerAddress(peer));
      Connection* raw = c.get();  // joined (Stop, ReapFinishedLocked) before it goes away
      c->thread = std::thread([this, raw] { Serve(raw); });
      connections_.push_back(std::move(c));
    }
  }

  // Joins connection threads that are done.
  void ReapFinishedLocked() {
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->finished.load()) {
        (*it)->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void Serve(Connection* c) {
    // A write to a peer that left fails with EPIPE instead of a process-wide SIGPIPE.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

    if (c->tls->Handshake(Clock::now() + kHandshakeTimeout).ok()) ServeRequests(c);
    std::unique_ptr<TlsConnection> tls;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tls = std::move(c->tls);
    }
    tls.reset();
    c->finished.store(true);
  }

  void ServeRequests(Connection* c) {
    TlsConnection& tls = *c->tls;
    RequestParser parser;
    std::string buffer;
    char chunk[kReadChunk];
    while (!c->stopping.load()) {
      // Idle until a request's first byte, then a bounded time for the whole request.
      bool started = !buffer.empty();
      Clock::time_point deadline = Clock::now() + (started ? kRequestTimeout : kIdleTimeout);
      RequestParser::Progress progress = parser.Feed(buffer);
      while (progress == RequestParser::Progress::kNeedMore) {
        if (parser.TakeContinueWanted() && !tls.WriteAll(kContinueLine, Clock::now() + kWriteTimeout).ok()) return;
        auto got = tls.ReadSome(chunk, sizeof(chunk), deadline);
        if (!got.ok() || *got == 0) return;  // timed out, interrupted, or the client left
        if (!started) deadline = Clock::now() + kRequestTimeout;
        started = true;
        buffer.append(chunk, *got);
        progress = parser.Feed(buffer);
      }
      if (progress != RequestParser::Progress::kComplete) {
        if (tls.WriteAll(RejectionFor(progress), Clock::now() + kWriteTimeout).ok()) DrainInput(tls);
        return;
      }
      bool keep_alive = false;
      HttpRequest request = parser.Take(&keep_alive);
      request.remote = tls.remote();
      HttpResponse response = CallHandler(request);
      keep_alive = keep_alive && !c->stopping.load();
      if (!response.stream) {
        if (!tls.WriteAll(SerializeResponse(response, keep_alive, request.method == "HEAD"),
                          Clock::now() + kWriteTimeout)
                 .ok()) {
          return;
        }
      } else {
        if (!tls.WriteAll(ResponseHead(response, keep_alive), Clock::now() + kWriteTimeout).ok()) return;
        ChunkedWriter writer(c);
        try {
          response.stream(writer);
        } catch (const std::exception& e) {
          LogError("HTTP stream failed", {{"path", request.path}, {"error", e.what()}});
          return;
        } catch (...) {
          LogError("HTTP stream failed", {{"path", request.path}});
          return;
        }
        if (writer.failed() || c->stopping.load()) return;
        if (!tls.WriteAll(kLastChunk, Clock::now() + kWriteTimeout).ok()) return;
      }
      if (!keep_alive) return;
    }
  }

  // Reads and drops what the client still sends (until it closes, for at most 2 s and 16 MiB)
  // before the connection closes: closing with unread input resets the connection, and the
  // client could lose the answer it has not read yet.
  static void DrainInput(TlsConnection& tls) {
    char scratch[kReadChunk];
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(2);
    for (size_t total = 0; total < (16u << 20);) {
      auto got = tls.ReadSome(scratch, sizeof(scratch), deadline);
      if (!got.ok() || *got == 0) return;
      total += *got;
    }
  }

  HttpResponse CallHandler(const HttpRequest& request) {
    try {
      return handler_(request);
    } catch (const std::exception& e) {
      LogError("HTTP handler failed", {{"path", request.path}, {"error", e.what()}});
    } catch (...) {
      LogError("HTTP handler failed", {{"path", request.path}});
    }
    return HttpResponse{500, {{"Content-Type", "text/plain"}}, "internal error\n", nullptr};
  }

  static std::string RejectionFor(RequestParser::Progress progress) {
    switch (progress) {
      case RequestParser::Progress::kBodyTooLarge:
        return PlainErrorResponse(413, "Request entity too large: limit is " +
                                           std::to_string(RequestLimits{}.body_bytes));
      case RequestParser::Progress::kHeaderTooLarge:
        return PlainErrorResponse(431, "Request header fields too large");
      default:
        return PlainErrorResponse(400, "Malformed HTTP request");
    }
  }

  std::shared_ptr<TlsServerContext> tls_;
  HttpHandler handler_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::thread accept_thread_;
  std::mutex mu_;
  bool stopped_ = false;                                 // GUARDED_BY(mu_)
  std::list<std::shared_ptr<Connection>> connections_;  // GUARDED_BY(mu_)
};

}  // namespace

std::unique_ptr<HttpServer> NewHttpsServer() { return std::make_unique<SocketHttpsServer>(); }

}  // namespace moor::api
