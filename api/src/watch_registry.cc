#include "watch_registry.h"

namespace moor::api {

bool WatchRegistry::Add(const std::shared_ptr<store::Watcher>& watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) {
    watcher->Stop();
    return false;
  }
  watchers_.insert(watcher);
  return true;
}

void WatchRegistry::Remove(const std::shared_ptr<store::Watcher>& watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.erase(watcher);
}

void WatchRegistry::StopAll() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  for (const auto& w : watchers_) w->Stop();
}

bool WatchRegistry::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

}  // namespace moor::api
