#include "sqlite_watcher.h"

#include "change_feed.h"
#include "moor/common/metrics.h"

namespace moor::store {
namespace {

constexpr int kBatchSize = 256;

Gauge& SubscribersGauge() {
  static Gauge& gauge =
      MetricsRegistry::Default().GetGauge("moor_watch_subscribers", "Open watches on the store's change feed.");
  return gauge;
}

}  // namespace

SqliteWatcher::SqliteWatcher(std::shared_ptr<ReadPool> pool, std::shared_ptr<WatchHub> hub, WatchOptions filter,
                             int64_t after_rv)
    : pool_(std::move(pool)), hub_(std::move(hub)), filter_(std::move(filter)), scanned_through_(after_rv) {
  SubscribersGauge().Add(1);
}

SqliteWatcher::~SqliteWatcher() { SubscribersGauge().Add(-1); }

StatusOr<std::optional<WatchEvent>> SqliteWatcher::Next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (stopped_.load()) return UnavailableError("watch stopped");
    if (hub_->closed()) return UnavailableError("store closed");
    if (!buffer_.empty()) {
      WatchEvent event = std::move(buffer_.front());
      buffer_.pop_front();
      return std::optional<WatchEvent>(std::move(event));
    }
    if (hub_->current_rv() > scanned_through_) {
      MOOR_ASSIGN_OR_RETURN(std::unique_ptr<ReadSnapshot> snapshot, ReadSnapshot::Begin(*pool_));
      MOOR_ASSIGN_OR_RETURN(ChangeBatch batch, ReadChanges(snapshot->conn(), filter_, scanned_through_, kBatchSize));
      scanned_through_ = batch.scanned_through;
      for (WatchEvent& e : batch.events) buffer_.push_back(std::move(e));
      continue;
    }
    switch (hub_->WaitPast(scanned_through_, deadline, [this] { return stopped_.load(); })) {
      case WatchHub::WaitResult::kAdvanced:
        continue;
      case WatchHub::WaitResult::kTimeout:
        return std::optional<WatchEvent>();
      case WatchHub::WaitResult::kClosed:
        return UnavailableError("store closed");
      case WatchHub::WaitResult::kStopped:
        return UnavailableError("watch stopped");
    }
  }
}

void SqliteWatcher::Stop() {
  stopped_.store(true);
  hub_->WakeAll();
}

}  // namespace moor::store
