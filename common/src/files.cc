#include "moor/common/files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace moor {
namespace {

std::string ErrnoText(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

std::string Hex(const unsigned char* data, std::size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

}  // namespace

StatusOr<std::string> ReadFileLimited(const std::filesystem::path& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError(ErrnoText("open", path));
    return UnavailableError(ErrnoText("open", path));
  }
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = UnavailableError(ErrnoText("read", path));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      ::close(fd);
      return ResourceExhaustedError(path.string() + ": file is larger than the limit of " +
                                    std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content, mode_t mode,
                       Durability durability) {
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + RandomHex(4);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return UnavailableError(ErrnoText("create", tmp));
  ::fchmod(fd, mode);  // not subject to the umask
  std::size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = UnavailableError(ErrnoText("write", tmp));
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    off += static_cast<std::size_t>(n);
  }
  if ((durability == Durability::kPowerLoss && ::fsync(fd) != 0) || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return UnavailableError(ErrnoText("sync", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = UnavailableError(ErrnoText("rename to", path));
    ::unlink(tmp.c_str());
    return s;
  }
  return Status::Ok();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(sha256) failed");
  }
  return Hex(md, len);
}

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

}  // namespace moor
