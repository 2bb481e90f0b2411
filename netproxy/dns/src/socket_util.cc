#include "socket_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "moor/common/ipv4_cidr.h"

namespace moor::netproxy::dns {
namespace {

using SteadyClock = std::chrono::steady_clock;

sockaddr_in Address(std::uint32_t ip, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(ip);
  addr.sin_port = htons(port);
  return addr;
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

int RemainingMs(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline.
Status WaitFd(int fd, short events, SteadyClock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, RemainingMs(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return UnavailableError(Errno("poll"));
    if (n == 0) return DeadlineExceededError("DNS over TCP timed out");
    return Status::Ok();
  }
}

}  // namespace

void UniqueFd::Reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

StatusOr<UniqueFd> ConnectedSocket(int type, std::uint32_t ip, std::uint16_t port, std::chrono::milliseconds timeout) {
  UniqueFd fd(socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return UnavailableError(Errno("socket"));
  sockaddr_in addr = Address(ip, port);
  std::string where = FormatIpv4Address(ip) + ":" + std::to_string(port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    if (errno != EINPROGRESS) return UnavailableError(Errno("connect " + where));
    MOOR_RETURN_IF_ERROR(WaitFd(fd.get(), POLLOUT, SteadyClock::now() + timeout));
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return UnavailableError("connect " + where + ": " + std::strerror(err));
  }
  return fd;
}

StatusOr<UniqueFd> BoundSocket(int type, std::uint32_t ip, std::uint16_t port) {
  UniqueFd fd(socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return UnavailableError(Errno("socket"));
  int one = 1;
  // TCP only: a restart must not wait for TIME_WAIT; on UDP it would let a second server bind
  // the same address and silently take half of the queries.
  if (type == SOCK_STREAM) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd.get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
  sockaddr_in addr = Address(ip, port);
  std::string where = FormatIpv4Address(ip) + ":" + std::to_string(port);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    return UnavailableError(Errno(std::string("bind ") + (type == SOCK_STREAM ? "tcp " : "udp ") + where));
  }
  if (type == SOCK_STREAM && listen(fd.get(), 64) < 0) return UnavailableError(Errno("listen " + where));
  return fd;
}

StatusOr<std::uint16_t> LocalPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return UnavailableError(Errno("getsockname"));
  return ntohs(addr.sin_port);
}

Status WriteTcpMessage(int fd, std::string_view message, SteadyClock::time_point deadline) {
  if (message.size() > 0xFFFF) return InvalidArgumentError("DNS message longer than 65535 bytes");
  std::string out;
  out.push_back(static_cast<char>(message.size() >> 8));
  out.push_back(static_cast<char>(message.size() & 0xFF));
  out += message;
  std::size_t sent = 0;
  while (sent < out.size()) {
    ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      MOOR_RETURN_IF_ERROR(WaitFd(fd, POLLOUT, deadline));
      continue;
    }
    if (n < 0) return UnavailableError(Errno("send"));
    sent += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

StatusOr<std::string> ReadTcpMessage(int fd, SteadyClock::time_point deadline) {
  auto read_exact = [&](std::size_t want) -> StatusOr<std::string> {
    std::string buf(want, '\0');
    std::size_t got = 0;
    while (got < want) {
      ssize_t n = recv(fd, buf.data() + got, want - got, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        MOOR_RETURN_IF_ERROR(WaitFd(fd, POLLIN, deadline));
        continue;
      }
      if (n < 0) return UnavailableError(Errno("recv"));
      if (n == 0) return UnavailableError("connection closed");
      got += static_cast<std::size_t>(n);
    }
    return buf;
  };
  MOOR_ASSIGN_OR_RETURN(std::string length, read_exact(2));
  std::size_t size = (static_cast<std::uint8_t>(length[0]) << 8) | static_cast<std::uint8_t>(length[1]);
  return read_exact(size);
}

}  // namespace moor::netproxy::dns
