#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace moor::store {

// Tells watchers that the change feed moved. The writer calls Publish() after each commit;
// watchers block in WaitPast(). Thread-safe. Shared (by shared_ptr) between the store and
// its watchers, so a watcher that outlives the store still finds it, closed.
class WatchHub {
 public:
  explicit WatchHub(int64_t current_rv) : current_rv_(current_rv) {}

  // Records that the store's resourceVersion is now `rv` and wakes every waiter.
  void Publish(int64_t rv);
  // Marks the store as gone and wakes every waiter; later waits return at once.
  void Close();
  // Wakes every waiter so it re-checks its own stop flag.
  void WakeAll();

  int64_t current_rv() const;
  bool closed() const;

  enum class WaitResult { kAdvanced, kTimeout, kClosed, kStopped };
  // Waits until the resourceVersion passes `rv`, the hub closes, `stopped()` is true (checked
  // under the hub's lock, so a WakeAll() after setting the flag is never missed) or
  // `deadline` passes.
  WaitResult WaitPast(int64_t rv, std::chrono::steady_clock::time_point deadline,
                      const std::function<bool()>& stopped);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t current_rv_;   // GUARDED_BY(mu_)
  bool closed_ = false;  // GUARDED_BY(mu_)
};

}  // namespace moor::store
