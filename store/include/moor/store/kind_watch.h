#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/object.h"
#include "moor/store/cluster_client.h"
#include "moor/store/store.h"

namespace moor::store {

// What a KindWatch hands to its owner. They never run at once, and none runs after Stop().
struct KindWatchHandlers {
  // Every object of the kind, after the first list and after each relist (a watch that fell
  // behind the retained history, or failed). Replaces whatever the owner knew before.
  std::function<void(const std::vector<manifests::Object>& items)> on_list;
  // One change after the last list, in resourceVersion order: none missed, none repeated.
  std::function<void(const WatchEvent& event)> on_event;
};

// Lists one kind (every namespace) through a ClusterClient, then follows its watch on a thread
// of its own (client-go's reflector, in small). A failed list or watch is retried after a pause
// and relists; a watch that fell behind (kGone) relists at once. A list at resourceVersion 0 (a
// store never written) is safe: as Watch(from 0) means "from now on", the watch is opened first
// and the kind listed again, so a write between the two is in the second list or in the watch.
// The client must outlive the KindWatch.
class KindWatch {
 public:
  KindWatch(ClusterClient* client, std::string kind, KindWatchHandlers handlers);
  ~KindWatch();  // Stop()
  KindWatch(const KindWatch&) = delete;
  KindWatch& operator=(const KindWatch&) = delete;

  // Starts the thread, which lists first; call once (Start or ListAndStart).
  void Start();
  // Lists once on the caller's thread (on_list runs there) and then starts the thread, which
  // watches from that list. If the list fails, returns its error and starts nothing.
  Status ListAndStart();
  // Ends the thread (joins it): no handler runs after Stop() returns. Idempotent.
  void Stop();

 private:
  // Lists (see the class comment for resourceVersion 0), calls on_list and sets from_ (and,
  // after a list at 0, watcher_). Runs on one thread at a time.
  Status List();
  void Run();
  // Follows watcher_ until it ends; true if it ended with kGone.
  bool Follow();
  // Waits up to `d` unless Stop() comes first.
  void Pause(std::chrono::milliseconds d);
  // Makes `w` the watcher Stop() wakes (or stops it if Stop() already came).
  void SetWatcher(std::unique_ptr<Watcher> w);

  ClusterClient* client_;
  std::string kind_;
  KindWatchHandlers handlers_;
  std::int64_t from_ = 0;   // the resourceVersion the watch continues from; the watch thread's
  bool listed_ = false;     // from_ (and a watcher_ opened by List) is current; the watch thread's
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Watcher> watcher_;  // swapped under mu_ (Stop wakes it); Next on the thread
  std::thread thread_;
};

}  // namespace moor::store
