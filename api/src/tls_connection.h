#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "moor/common/status.h"

// OpenSSL's types, so that only tls_connection.cc includes its headers.
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace moor::api {

// A server's TLS settings (TLS 1.2 and later, one certificate chain and key), shared by every
// connection it accepts.
class TlsServerContext {
 public:
  // Loads the PEM chain and key; kInvalidArgument naming the file when either cannot be used.
  static StatusOr<std::shared_ptr<TlsServerContext>> Load(const std::filesystem::path& cert_file,
                                                          const std::filesystem::path& key_file);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  SSL_CTX* native() const { return ctx_; }

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// One accepted TCP connection speaking TLS, with blocking calls that each wait at most until a
// deadline and that Interrupt() ends at once from any thread. Every other method is for the one
// thread that serves the connection. Owns the socket: the destructor sends close_notify (without
// waiting) and closes it.
class TlsConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // `fd` is a connected, non-blocking TCP socket (ownership passes).
  TlsConnection(std::shared_ptr<TlsServerContext> context, int fd, std::string remote);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // The TLS handshake. kDeadlineExceeded, kUnavailable (peer left, interrupted) or kUnavailable
  // with OpenSSL's reason.
  Status Handshake(Clock::time_point deadline);
  // Reads what is available, at most `size` bytes, waiting for the first one until `deadline`.
  // 0 when the peer closed the connection; kDeadlineExceeded; kUnavailable on an error or after
  // Interrupt().
  StatusOr<size_t> ReadSome(char* data, size_t size, Clock::time_point deadline);
  // Writes all of `data` or fails (kDeadlineExceeded, kUnavailable).
  Status WriteAll(std::string_view data, Clock::time_point deadline);
  // True once the peer has closed or reset the connection, or after Interrupt(). Never blocks.
  bool PeerGone() const;
  // Makes every blocked and later call fail at once (shuts the socket down). May be called from
  // any thread while the connection exists; idempotent.
  void Interrupt();

  const std::string& remote() const { return remote_; }

 private:
  // Waits until the socket is ready for `events` (poll(2) flags) or `deadline`.
  Status Wait(short events, Clock::time_point deadline);
  // Calls `op` (an SSL_* call: 1 on success) until it succeeds, waiting for the socket as
  // OpenSSL asks. *peer_closed (when given) is set, with an ok Status, when the peer closed the
  // connection instead.
  template <typename Op>
  Status Drive(Op op, Clock::time_point deadline, bool* peer_closed);

  std::shared_ptr<TlsServerContext> context_;
  int fd_;
  SSL* ssl_ = nullptr;
  std::string remote_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace moor::api
