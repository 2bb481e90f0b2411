#pragma once

#include <chrono>
#include <set>
#include <string>

#include "moor/common/status.h"

namespace moor::reconciler {

// What changed below a watched root since the last Poll().
struct WatchEvents {
  // Paths relative to the root ("apps/web.yaml", "apps") of files or directories that were
  // created, written, moved in or out, or deleted. A directory path means: look at
  // everything below it (it appeared, vanished or moved).
  std::set<std::string> paths;
  // Those of `paths` that are files created and not yet closed by their writer: their content
  // may still be incomplete. Every other path is settled (written and closed, moved in, deleted).
  std::set<std::string> settling;
  // Events were lost (kernel queue overflow, root replaced): rescan everything.
  bool rescan = false;

  bool empty() const { return paths.empty() && !rescan; }
};

// A feed of file-system changes below one root. The folder source consumes it from its
// watcher thread; tests substitute a fake feed.
class FileWatcher {
 public:
  virtual ~FileWatcher() = default;
  // Waits up to `timeout` for changes and returns what arrived (empty on timeout or after
  // Wake()). Called from one thread at a time.
  virtual StatusOr<WatchEvents> Poll(std::chrono::milliseconds timeout) = 0;
  // Makes a blocked Poll() (or the next one) return at once. Thread-safe.
  virtual void Wake() = 0;
};

}  // namespace moor::reconciler
