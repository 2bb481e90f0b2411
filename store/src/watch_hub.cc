#include "watch_hub.h"

namespace moor::store {

void WatchHub::Publish(int64_t rv) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (rv > current_rv_) current_rv_ = rv;
  }
  cv_.notify_all();
}

void WatchHub::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

void WatchHub::WakeAll() {
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_all();
}

int64_t WatchHub::current_rv() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_rv_;
}

bool WatchHub::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

WatchHub::WaitResult WatchHub::WaitPast(int64_t rv, std::chrono::steady_clock::time_point deadline,
                                        const std::function<bool()>& stopped) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (closed_) return WaitResult::kClosed;
    if (stopped()) return WaitResult::kStopped;
    if (current_rv_ > rv) return WaitResult::kAdvanced;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (closed_) return WaitResult::kClosed;
      if (stopped()) return WaitResult::kStopped;
      return current_rv_ > rv ? WaitResult::kAdvanced : WaitResult::kTimeout;
    }
  }
}

}  // namespace moor::store
