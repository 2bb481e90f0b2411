#pragma once

#include <filesystem>

#include "moor/common/status.h"

namespace moor::runtime {

// An flock(2) on a file, held until destruction. Each FileLock opens its own file description,
// so two FileLocks conflict whether they are in one process or in two.
class FileLock {
 public:
  enum class Mode { kShared, kExclusive };

  // Blocks until the lock is granted. kUnavailable if the file cannot be opened or locked.
  static StatusOr<FileLock> Acquire(const std::filesystem::path& path, Mode mode);
  // Like Acquire but does not wait: kUnavailable when another holder is in the way.
  static StatusOr<FileLock> TryAcquire(const std::filesystem::path& path, Mode mode);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  static StatusOr<FileLock> Lock(const std::filesystem::path& path, Mode mode, bool wait);
  int fd_ = -1;
};

}  // namespace moor::runtime
