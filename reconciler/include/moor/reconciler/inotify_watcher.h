#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "moor/reconciler/file_watcher.h"

namespace moor::reconciler {

// Watches a directory tree with Linux inotify: one watch per directory (dot-directories are
// skipped; symlinked directories are followed once, so symlink loops end), new
// subdirectories get a watch as soon as their creation is read, and reported paths pass
// through the names rules of path_filter.h. A queue overflow asks for a rescan.
class InotifyWatcher final : public FileWatcher {
 public:
  // Starts watching `root` (which must be a directory) and everything below it.
  static StatusOr<std::unique_ptr<InotifyWatcher>> Create(const std::filesystem::path& root);
  ~InotifyWatcher() override;
  InotifyWatcher(const InotifyWatcher&) = delete;
  InotifyWatcher& operator=(const InotifyWatcher&) = delete;

  StatusOr<WatchEvents> Poll(std::chrono::milliseconds timeout) override;
  void Wake() override;

  // Number of directories watched (for tests and logs).
  size_t WatchCount() const { return dirs_.size(); }

 private:
  InotifyWatcher(std::filesystem::path root, int inotify_fd, int wake_fd);
  // Adds watches for `relative` (a directory below the root, "" = the root) and every
  // directory below it that is not watched yet.
  void AddTree(const std::string& relative);
  // Drops the watches of `relative` and everything below it.
  void RemoveTree(const std::string& relative);
  void HandleEvent(int wd, uint32_t mask, const std::string& name, WatchEvents& out);

  std::filesystem::path root_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd
  std::map<int, std::string> dirs_;  // watch descriptor -> directory relative to root_
};

}  // namespace moor::reconciler
