#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "key_queue.h"
#include "moor/common/status.h"
#include "moor/store/kind_watch.h"
#include "moor/store/store.h"
#include "moor/store/store_cluster_client.h"

namespace moor::reconciler {

// The machinery the server-side controllers share: KindWatches whose handlers turn changes into
// keys, a KeyQueue, and one worker thread calling `reconcile(key)` for each key — never for two
// keys at once, so a reconcile needs no locking against itself. A reconcile that fails is
// retried with per-key exponential backoff (100 ms doubling up to 10 s); success resets it.
// The worker starts only after every watch has listed once, so the first reconciles see the
// whole store rather than a half-loaded cache.
class ControllerLoop {
 public:
  using ReconcileFn = std::function<Status(const manifests::ObjectKey& key)>;

  // `name` names the controller in logs. `store` must outlive the loop.
  ControllerLoop(std::string name, store::Store* store, ReconcileFn reconcile);
  ~ControllerLoop();
  ControllerLoop(const ControllerLoop&) = delete;
  ControllerLoop& operator=(const ControllerLoop&) = delete;

  // Adds a watch of `kind`; before Start() only. The handlers run on that watch's thread and
  // usually end in Enqueue().
  void AddWatch(const std::string& kind, store::KindWatchHandlers handlers);
  void Start();
  // Thread-safe; any thread.
  void Enqueue(const manifests::ObjectKey& key) { queue_.Add(key); }
  // Enqueues `key` once `delay` has passed (a reconcile asking to look again later); an
  // Enqueue() before then makes it ready at once. Thread-safe; any thread.
  void EnqueueAfter(const manifests::ObjectKey& key, std::chrono::milliseconds delay) { queue_.AddAfter(key, delay); }
  // Stops the watches and the worker (joins them): no handler or reconcile runs after it
  // returns. Idempotent.
  void Stop();

 private:
  void Work();

  std::string name_;
  store::StoreClusterClient client_;  // the watches' view of the store
  ReconcileFn reconcile_;
  KeyQueue queue_;
  std::vector<std::unique_ptr<store::KindWatch>> watches_;
  std::mutex mu_;
  std::condition_variable synced_cv_;
  size_t listed_ = 0;     // watches that completed their first list; guarded by mu_
  bool stopping_ = false; // guarded by mu_
  std::thread worker_;
};

}  // namespace moor::reconciler
