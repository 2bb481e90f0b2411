#include "moor/runtime/image/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "moor/common/files.h"

namespace moor::runtime {

Status ValidateDigest(std::string_view digest) {
  std::size_t colon = digest.find(':');
  if (colon == std::string_view::npos) return InvalidArgumentError("invalid digest format: " + std::string(digest));
  std::string_view algorithm = digest.substr(0, colon);
  std::string_view hex = digest.substr(colon + 1);
  if (algorithm != "sha256") return InvalidArgumentError("unsupported digest algorithm: " + std::string(algorithm));
  if (hex.size() != 64) return InvalidArgumentError("invalid checksum digest length: " + std::string(digest));
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return InvalidArgumentError("invalid checksum digest format: " + std::string(digest));
    }
  }
  return Status::Ok();
}

std::string_view DigestHex(std::string_view digest) {
  std::size_t colon = digest.find(':');
  return colon == std::string_view::npos ? digest : digest.substr(colon + 1);
}

std::string DigestOf(std::string_view data) { return "sha256:" + Sha256Hex(data); }

struct Sha256Stream::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256Stream::Sha256Stream() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256Stream::Update(const void* data, std::size_t size) { EVP_DigestUpdate(impl_->ctx, data, size); }

std::string Sha256Stream::Finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  static const char* kDigits = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    out += kDigits[md[i] >> 4];
    out += kDigits[md[i] & 0xf];
  }
  return out;
}

StatusOr<std::string> DigestOfFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::string message = "open " + path.string() + ": " + std::strerror(errno);
    return errno == ENOENT ? NotFoundError(message) : UnavailableError(message);
  }
  Sha256Stream hash;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = UnavailableError("read " + path.string() + ": " + std::strerror(errno));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    hash.Update(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return hash.Finish();
}

}  // namespace moor::runtime
