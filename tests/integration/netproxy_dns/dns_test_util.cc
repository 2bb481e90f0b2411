#include "dns_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace moor::netproxy::dns::testing {
namespace {

sockaddr_in Address(const std::string& ip, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  return addr;
}

bool Readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

bool ReadExact(int fd, char* buf, std::size_t n, std::chrono::milliseconds timeout) {
  std::size_t got = 0;
  while (got < n) {
    if (!Readable(fd, timeout)) return false;
    ssize_t r = recv(fd, buf + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

std::string Framed(const std::string& wire) {
  std::string out;
  out.push_back(static_cast<char>(wire.size() >> 8));
  out.push_back(static_cast<char>(wire.size() & 0xFF));
  return out + wire;
}

std::string ReadFramed(int fd, std::chrono::milliseconds timeout) {
  char len[2];
  if (!ReadExact(fd, len, 2, timeout)) return "";
  std::size_t size = (static_cast<std::uint8_t>(len[0]) << 8) | static_cast<std::uint8_t>(len[1]);
  std::string buf(size, '\0');
  if (!ReadExact(fd, buf.data(), size, timeout)) return "";
  return buf;
}

}  // namespace

std::string AskRaw(const std::string& ip, int port, const std::string& wire, bool tcp,
                   std::chrono::milliseconds timeout) {
  int fd = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr = Address(ip, port);
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    if (tcp) {
      std::string framed = Framed(wire);
      if (send(fd, framed.data(), framed.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(framed.size())) {
        reply = ReadFramed(fd, timeout);
      }
    } else if (send(fd, wire.data(), wire.size(), 0) == static_cast<ssize_t>(wire.size()) && Readable(fd, timeout)) {
      std::string buf(65535, '\0');
      ssize_t n = recv(fd, buf.data(), buf.size(), 0);
      if (n > 0) reply = buf.substr(0, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return reply;
}

std::optional<Message> Ask(const std::string& ip, int port, const std::string& name, std::uint16_t type, bool tcp,
                           std::optional<std::uint16_t> edns, std::chrono::milliseconds timeout) {
  static std::atomic<std::uint16_t> next_id{100};
  Message query;
  query.header.id = next_id++;
  query.header.rd = true;
  query.questions.push_back(Question{name, type, kClassIn});
  if (edns) query.additional.push_back(Record::Opt(*edns));
  auto wire = SerializeMessage(query);
  if (!wire.ok()) return std::nullopt;
  std::string reply = AskRaw(ip, port, *wire, tcp, timeout);
  auto parsed = ParseMessage(reply);
  if (!parsed.ok() || parsed->header.id != query.header.id) return std::nullopt;
  return *parsed;
}

FakeUpstream::FakeUpstream(AnswerFn answer, int port) : answer_(std::move(answer)) {
  udp_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  tcp_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = Address("127.0.0.1", port);
  bind(udp_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(udp_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  int one = 1;
  setsockopt(tcp_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  bind(tcp_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  listen(tcp_fd_, 8);
  thread_ = std::thread([this] { Serve(); });
}

FakeUpstream::~FakeUpstream() {
  stop_ = true;
  thread_.join();
  close(udp_fd_);
  close(tcp_fd_);
}

void FakeUpstream::Serve() {
  std::string buf(65535, '\0');
  while (!stop_) {
    pollfd p[2] = {{udp_fd_, POLLIN, 0}, {tcp_fd_, POLLIN, 0}};
    if (poll(p, 2, 50) <= 0) continue;
    if (p[0].revents != 0) {
      sockaddr_in peer{};
      socklen_t peer_len = sizeof(peer);
      ssize_t n = recvfrom(udp_fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&peer), &peer_len);
      auto query = ParseMessage(std::string_view(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0));
      if (!query.ok()) continue;
      ++udp_queries_;
      last_id_ = query->header.id;
      if (!answer_) continue;
      auto reply = SerializeMessage(answer_(*query), kClassicUdpSize);
      if (reply.ok()) sendto(udp_fd_, reply->data(), reply->size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_len);
    }
    if (p[1].revents != 0) {
      int conn = accept4(tcp_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      auto query = ParseMessage(ReadFramed(conn, std::chrono::seconds(2)));
      if (query.ok()) {
        ++tcp_queries_;
        last_id_ = query->header.id;
        if (answer_) {
          auto reply = SerializeMessage(answer_(*query));
          if (reply.ok()) {
            std::string framed = Framed(*reply);
            send(conn, framed.data(), framed.size(), MSG_NOSIGNAL);
          }
        }
      }
      close(conn);
    }
  }
}

}  // namespace moor::netproxy::dns::testing
