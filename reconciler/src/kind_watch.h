#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "moor/store/store.h"

namespace moor::reconciler {

// What a KindWatch hands to its owner. Both run on the KindWatch's thread, never at once.
struct KindWatchHandlers {
  // Every object of the kind, after the first list and after each relist (a watch that fell
  // behind the retained history, or failed). Replaces whatever the owner knew before.
  std::function<void(const std::vector<store::Record>& items)> on_list;
  // One change after the list, in resourceVersion order, none missed.
  std::function<void(const store::WatchEvent& event)> on_event;
};

// Lists one kind of the store and then follows its watch on a thread of its own (client-go's
// reflector, in small). A failed list or watch is retried after a pause; kGone relists.
// The store must outlive the KindWatch.
class KindWatch {
 public:
  KindWatch(store::Store* store, std::string kind, KindWatchHandlers handlers);
  ~KindWatch();
  KindWatch(const KindWatch&) = delete;
  KindWatch& operator=(const KindWatch&) = delete;

  void Start();  // starts the thread; call once
  // Ends the thread (joins it): no handler runs after Stop() returns. Idempotent.
  void Stop();

 private:
  void Run();
  // Waits up to `d` unless Stop() comes first; false once stopping.
  bool Pause(std::chrono::milliseconds d);

  store::Store* store_;
  std::string kind_;
  KindWatchHandlers handlers_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<store::Watcher> watcher_;  // guarded by mu_ (Stop wakes it)
  std::thread thread_;
};

}  // namespace moor::reconciler
