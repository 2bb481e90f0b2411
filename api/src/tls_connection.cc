#include "tls_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace moor::api {
namespace {

// OpenSSL's reason for the last failure on this thread, or `fallback`; clears the queue.
std::string OpenSslReason(const std::string& fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

}  // namespace

StatusOr<std::shared_ptr<TlsServerContext>> TlsServerContext::Load(const std::filesystem::path& cert_file,
                                                                   const std::filesystem::path& key_file) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return InternalError("cannot create a TLS context: " + OpenSslReason("out of memory"));
  std::shared_ptr<TlsServerContext> context(new TlsServerContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A client that closes TCP without close_notify (curl, kubectl on ^C) has simply left.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Writes retry from a buffer that may have moved (a std::string's data) and may complete in parts.
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return InvalidArgumentError("cannot use the TLS certificate " + cert_file.string() + ": " +
                                OpenSslReason("unreadable"));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgumentError("cannot use the TLS key " + key_file.string() + " with " + cert_file.string() +
                                ": " + OpenSslReason("unreadable"));
  }
  return context;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(ctx_); }

TlsConnection::TlsConnection(std::shared_ptr<TlsServerContext> context, int fd, std::string remote)
    : context_(std::move(context)), fd_(fd), remote_(std::move(remote)) {
  ssl_ = SSL_new(context_->native());
  if (ssl_ != nullptr) SSL_set_fd(ssl_, fd_);
}

TlsConnection::~TlsConnection() {
  if (ssl_ != nullptr) {
    // close_notify if the socket takes it now; never waits for the peer's.
    if (!interrupted_.load() && SSL_is_init_finished(ssl_)) {
      ERR_clear_error();
      SSL_shutdown(ssl_);
    }
    SSL_free(ssl_);
    ERR_clear_error();
  }
  ::close(fd_);
}

void TlsConnection::Interrupt() {
  interrupted_.store(true);
  ::shutdown(fd_, SHUT_RDWR);
}

bool TlsConnection::PeerGone() const {
  if (interrupted_.load()) return true;
  pollfd p{fd_, POLLRDHUP, 0};
  int n = ::poll(&p, 1, 0);
  return n > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

Status TlsConnection::Wait(short events, Clock::time_point deadline) {
  while (true) {
    if (interrupted_.load()) return UnavailableError("connection interrupted");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return DeadlineExceededError("connection timed out");
    pollfd p{fd_, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
    if (n < 0 && errno != EINTR) return UnavailableError("poll failed");
    if (n > 0) return Status::Ok();  // ready, or an error/hang-up the next call reports
  }
}

template <typename Op>
Status TlsConnection::Drive(Op op, Clock::time_point deadline, bool* peer_closed) {
  if (ssl_ == nullptr) return InternalError("no TLS session");
  while (true) {
    if (interrupted_.load()) return UnavailableError("connection interrupted");
    ERR_clear_error();
    int result = op();
    if (result == 1) return Status::Ok();
    int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      MOOR_RETURN_IF_ERROR(Wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline));
      continue;
    }
    if (peer_closed != nullptr && error == SSL_ERROR_ZERO_RETURN) {
      *peer_closed = true;
      return Status::Ok();
    }
    if (interrupted_.load()) return UnavailableError("connection interrupted");
    if (error == SSL_ERROR_SYSCALL || error == SSL_ERROR_ZERO_RETURN) {
      ERR_clear_error();
      return UnavailableError("the peer closed the connection");
    }
    return UnavailableError("TLS: " + OpenSslReason("error " + std::to_string(error)));
  }
}

Status TlsConnection::Handshake(Clock::time_point deadline) {
  return Drive([this] { return SSL_accept(ssl_); }, deadline, nullptr);
}

StatusOr<size_t> TlsConnection::ReadSome(char* data, size_t size, Clock::time_point deadline) {
  size_t got = 0;
  bool closed = false;
  Status s = Drive([&] { return SSL_read_ex(ssl_, data, size, &got); }, deadline, &closed);
  if (!s.ok()) {
    // A peer that drops the TCP connection without close_notify ends the stream the same way.
    if (s.code() == StatusCode::kUnavailable && !interrupted_.load() && PeerGone()) return size_t{0};
    return s;
  }
  return closed ? size_t{0} : got;
}

Status TlsConnection::WriteAll(std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    size_t written = 0;
    MOOR_RETURN_IF_ERROR(
        Drive([&] { return SSL_write_ex(ssl_, data.data(), data.size(), &written); }, deadline, nullptr));
    data.remove_prefix(written);
  }
  return Status::Ok();
}

}  // namespace moor::api
