#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>

#include "moor/store/store.h"
#include "read_pool.h"
#include "watch_hub.h"

namespace moor::store {

// A Watcher over the `changes` table. It reads the feed in batches on a pooled read
// connection and sleeps on the WatchHub between commits. It shares the pool and the hub
// with the store, so it stays safe to use (returning kUnavailable) after the store is gone.
class SqliteWatcher final : public Watcher {
 public:
  // Delivers changes with rv > `after_rv` that match `filter`.
  SqliteWatcher(std::shared_ptr<ReadPool> pool, std::shared_ptr<WatchHub> hub, WatchOptions filter, int64_t after_rv);
  ~SqliteWatcher() override;

  StatusOr<std::optional<WatchEvent>> Next(std::chrono::milliseconds timeout) override;
  void Stop() override;

 private:
  std::shared_ptr<ReadPool> pool_;
  std::shared_ptr<WatchHub> hub_;
  const WatchOptions filter_;
  int64_t scanned_through_;        // used by the Next() caller only
  std::deque<WatchEvent> buffer_;  // used by the Next() caller only
  std::atomic<bool> stopped_{false};
};

}  // namespace moor::store
