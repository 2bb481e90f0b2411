#include "key_queue.h"

namespace moor::reconciler {

void KeyQueue::Add(const manifests::ObjectKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_ || !queued_.insert(key).second) return;
  ready_.push_back(key);
  cv_.notify_one();
}

void KeyQueue::AddAfter(const manifests::ObjectKey& key, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  const Clock::time_point due = Clock::now() + delay;
  // One pending retry per key, the earliest: repeated requests do not multiply the reconciles.
  for (auto it = delayed_.begin(); it != delayed_.end(); ++it) {
    if (it->second != key) continue;
    if (it->first <= due) return;
    delayed_.erase(it);
    break;
  }
  delayed_.emplace(due, key);
  cv_.notify_one();
}

void KeyQueue::PromoteDueLocked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    manifests::ObjectKey key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    if (queued_.insert(key).second) ready_.push_back(std::move(key));
  }
}

std::optional<manifests::ObjectKey> KeyQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (shut_down_) return std::nullopt;
    PromoteDueLocked(Clock::now());
    if (!ready_.empty()) {
      manifests::ObjectKey key = std::move(ready_.front());
      ready_.pop_front();
      queued_.erase(key);
      return key;
    }
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, delayed_.begin()->first);
    }
  }
}

void KeyQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shut_down_ = true;
  cv_.notify_all();
}

}  // namespace moor::reconciler
