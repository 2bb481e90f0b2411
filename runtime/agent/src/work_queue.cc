#include "work_queue.h"

namespace moor::runtime {

void WorkQueue::AddLocked(const std::string& key) {
  if (processing_.count(key)) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) queue_.push_back(key);
  delayed_.erase(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_) return;
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return Add(key);
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_ || queued_.count(key)) return;
  auto when = std::chrono::steady_clock::now() + delay;
  auto it = delayed_.find(key);
  if (it == delayed_.end() || when < it->second) delayed_[key] = when;
  cv_.notify_all();
}

void WorkQueue::PromoteDueLocked() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->second <= now && !processing_.count(it->first)) {
      std::string key = it->first;
      it = delayed_.erase(it);
      if (queued_.insert(key).second) queue_.push_back(key);
    } else {
      ++it;
    }
  }
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (shutdown_) return std::nullopt;
    PromoteDueLocked();
    if (!queue_.empty()) {
      std::string key = queue_.front();
      queue_.pop_front();
      queued_.erase(key);
      processing_.insert(key);
      return key;
    }
    auto next = std::chrono::steady_clock::time_point::max();
    // A delayed key that a worker still has waits for Done (which notifies), not for its time:
    // counting it here would spin once it is due.
    for (const auto& [k, when] : delayed_) {
      if (!processing_.count(k)) next = std::min(next, when);
    }
    if (next == std::chrono::steady_clock::time_point::max()) cv_.wait(lock);
    else cv_.wait_until(lock, next);
  }
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.erase(key) && !shutdown_) AddLocked(key);
  cv_.notify_all();
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

std::size_t WorkQueue::Pending() {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + delayed_.size() + processing_.size();
}

}  // namespace moor::runtime
