#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "moor/manifests/object.h"

namespace moor::reconciler {

// The work queue of a controller (client-go's workqueue, in small): keys, not events. A key
// added while it is already waiting is not added twice. Thread-safe; meant for one consumer,
// so no key is ever handed out twice at once.
class KeyQueue {
 public:
  using Clock = std::chrono::steady_clock;

  void Add(const manifests::ObjectKey& key);
  // Adds `key` once `delay` has passed (a retry); an Add() before then makes it ready at once.
  // A key waits for at most one such retry: the earlier of the pending one and this one.
  void AddAfter(const manifests::ObjectKey& key, std::chrono::milliseconds delay);
  // Blocks until a key is ready, and removes it; nullopt once ShutDown() was called.
  std::optional<manifests::ObjectKey> Get();
  // Wakes Get(); later calls return nullopt. Idempotent.
  void ShutDown();

 private:
  void PromoteDueLocked(Clock::time_point now);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<manifests::ObjectKey> ready_;                    // guarded by mu_
  std::set<manifests::ObjectKey> queued_;                     // keys in ready_; guarded by mu_
  std::multimap<Clock::time_point, manifests::ObjectKey> delayed_;  // guarded by mu_
  bool shut_down_ = false;                                    // guarded by mu_
};

}  // namespace moor::reconciler
