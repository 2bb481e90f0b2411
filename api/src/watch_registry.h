#pragma once

#include <memory>
#include <mutex>
#include <set>

#include "moor/store/store.h"

namespace moor::api {

// The store watchers behind open watch streams, so that the server can end them all at
// once when it stops. Thread-safe.
class WatchRegistry {
 public:
  // Registers `watcher`; false (and the watcher is stopped) if StopAll() already ran.
  bool Add(const std::shared_ptr<store::Watcher>& watcher);
  void Remove(const std::shared_ptr<store::Watcher>& watcher);
  // Stops every registered watcher and every one added later.
  void StopAll();
  bool stopping() const;

 private:
  mutable std::mutex mu_;
  bool stopping_ = false;                                  // GUARDED_BY(mu_)
  std::set<std::shared_ptr<store::Watcher>> watchers_;     // GUARDED_BY(mu_)
};

}  // namespace moor::api
