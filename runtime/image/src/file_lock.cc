#include "file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace moor::runtime {

StatusOr<FileLock> FileLock::Lock(const std::filesystem::path& path, Mode mode, bool wait) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("opening lock " + path.string() + ": " + std::strerror(errno));
  int op = (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
  while (::flock(fd, op) != 0) {
    if (errno == EINTR) continue;
    Status s = UnavailableError("locking " + path.string() + ": " + std::strerror(errno));
    ::close(fd);
    return s;
  }
  return FileLock(fd);
}

StatusOr<FileLock> FileLock::Acquire(const std::filesystem::path& path, Mode mode) { return Lock(path, mode, true); }

StatusOr<FileLock> FileLock::TryAcquire(const std::filesystem::path& path, Mode mode) {
  return Lock(path, mode, false);
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace moor::runtime
