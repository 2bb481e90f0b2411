#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor::netproxy::dns {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset();

 private:
  int fd_ = -1;
};

// A socket of `type` (SOCK_DGRAM / SOCK_STREAM) connected to ip:port (host byte order). A TCP
// connect gives up after `timeout`.
StatusOr<UniqueFd> ConnectedSocket(int type, std::uint32_t ip, std::uint16_t port,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A socket of `type` bound to ip:port with IP_FREEBIND (so an address that is on no interface
// can be bound; TCP also SO_REUSEADDR); a TCP socket also listens. kUnavailable naming the
// address (e.g. when another server holds it).
StatusOr<UniqueFd> BoundSocket(int type, std::uint32_t ip, std::uint16_t port);

// The port a bound socket got (for port 0).
StatusOr<std::uint16_t> LocalPort(int fd);

// DNS over TCP (RFC 1035 4.2.2): a 2-byte length, then the message. Each fails with
// kDeadlineExceeded at `deadline`, kUnavailable on a closed or broken connection.
Status WriteTcpMessage(int fd, std::string_view message, std::chrono::steady_clock::time_point deadline);
StatusOr<std::string> ReadTcpMessage(int fd, std::chrono::steady_clock::time_point deadline);

}  // namespace moor::netproxy::dns
