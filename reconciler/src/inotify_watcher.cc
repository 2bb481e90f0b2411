#include "moor/reconciler/inotify_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "moor/common/log.h"
#include "moor/reconciler/path_filter.h"
#include "tree_walk.h"

namespace moor::reconciler {
namespace {

constexpr uint32_t kDirMask = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                              IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

std::string ErrnoText() { return std::strerror(errno); }

bool IsPrefixDir(const std::string& dir, const std::string& path) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

}  // namespace

StatusOr<std::unique_ptr<InotifyWatcher>> InotifyWatcher::Create(const std::filesystem::path& root) {
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return FailedPreconditionError("cannot watch " + root.string() + ": not a directory");
  }
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return UnavailableError("inotify_init1: " + ErrnoText());
  int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) {
    std::string error = ErrnoText();
    ::close(fd);
    return UnavailableError("eventfd: " + error);
  }
  std::unique_ptr<InotifyWatcher> watcher(new InotifyWatcher(root, fd, wake));
  watcher->AddTree("");
  if (watcher->dirs_.empty()) return UnavailableError("inotify_add_watch " + root.string() + " failed");
  return watcher;
}

InotifyWatcher::InotifyWatcher(std::filesystem::path root, int inotify_fd, int wake_fd)
    : root_(std::move(root)), inotify_fd_(inotify_fd), wake_fd_(wake_fd) {}

InotifyWatcher::~InotifyWatcher() {
  ::close(inotify_fd_);
  ::close(wake_fd_);
}

void InotifyWatcher::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void InotifyWatcher::AddTree(const std::string& relative) {
  WalkTree(
      root_, relative,
      [&](const std::string& dir) {
        std::filesystem::path full = dir.empty() ? root_ : root_ / dir;
        int wd = ::inotify_add_watch(inotify_fd_, full.c_str(), kDirMask);
        if (wd < 0) {
          LogWarn("cannot watch directory", {{"dir", full.string()}, {"error", ErrnoText()}});
          return;
        }
        // The same inode reached by a second path keeps its first name (inotify gives one
        // watch per inode).
        dirs_.emplace(wd, dir);
      },
      nullptr);
}

void InotifyWatcher::RemoveTree(const std::string& relative) {
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (!relative.empty() && IsPrefixDir(relative, it->second)) {
      ::inotify_rm_watch(inotify_fd_, it->first);
      it = dirs_.erase(it);
    } else {
      ++it;
    }
  }
}

void InotifyWatcher::HandleEvent(int wd, uint32_t mask, const std::string& name, WatchEvents& out) {
  if (mask & IN_Q_OVERFLOW) {
    out.rescan = true;
    AddTree("");
    return;
  }
  auto it = dirs_.find(wd);
  if (it == dirs_.end()) return;
  const std::string dir = it->second;
  if (mask & IN_IGNORED) {  // the directory is gone (or we removed the watch)
    dirs_.erase(it);
    if (dir.empty()) out.rescan = true;
    return;
  }
  if (mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
    if (dir.empty()) out.rescan = true;  // the root itself went away
    return;                              // a subdirectory: its parent reports it
  }
  if (name.empty() || IsIgnoredName(name)) return;
  std::string relative = JoinRelative(dir, name);
  bool is_dir = (mask & IN_ISDIR) != 0;
  if (!is_dir && (mask & (IN_CREATE | IN_MOVED_TO))) {
    struct stat st {};  // a symlink to a directory counts as one
    is_dir = ::stat((root_ / relative).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  if (mask & (IN_DELETE | IN_MOVED_FROM)) {
    RemoveTree(relative);
    out.paths.insert(relative);  // whatever it was, what was known below it is gone
    return;
  }
  if (is_dir) {
    AddTree(relative);  // before the scan, so files created from now on are seen
    out.paths.insert(relative);
    return;
  }
  if (!IsManifestFileName(name)) return;
  out.paths.insert(relative);
  // A file just created may still be written; IN_CLOSE_WRITE or IN_MOVED_TO says it is complete.
  if (mask & IN_CREATE) out.settling.insert(relative);
  else out.settling.erase(relative);
}

StatusOr<WatchEvents> InotifyWatcher::Poll(std::chrono::milliseconds timeout) {
  WatchEvents out;
  if (std::none_of(dirs_.begin(), dirs_.end(), [](const auto& entry) { return entry.second.empty(); })) {
    // The root was removed or replaced: watch the new one as soon as it is there.
    struct stat st {};
    if (::stat(root_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      AddTree("");
      out.rescan = true;
      return out;
    }
  }
  pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  int ready = ::poll(fds, 2, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return out;
    return UnavailableError("poll on inotify: " + ErrnoText());
  }
  if (fds[1].revents & POLLIN) {
    uint64_t value = 0;
    [[maybe_unused]] ssize_t n = ::read(wake_fd_, &value, sizeof(value));
  }
  if (!(fds[0].revents & POLLIN)) return out;
  alignas(struct inotify_event) char buffer[64 * 1024];
  while (true) {
    ssize_t length = ::read(inotify_fd_, buffer, sizeof(buffer));
    if (length < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return UnavailableError("read inotify: " + ErrnoText());
    }
    if (length == 0) break;
    for (ssize_t offset = 0; offset < length;) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + offset);
      std::string name = event->len > 0 ? std::string(event->name) : std::string();
      HandleEvent(event->wd, event->mask, name, out);
      offset += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
    }
  }
  return out;
}

}  // namespace moor::reconciler
