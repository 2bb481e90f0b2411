#include "kind_watch.h"

#include "moor/common/log.h"

namespace moor::reconciler {

using std::chrono::milliseconds;

namespace {
constexpr milliseconds kRetryPause{500};
constexpr milliseconds kPollTimeout{1000};
}  // namespace

KindWatch::KindWatch(store::Store* store, std::string kind, KindWatchHandlers handlers)
    : store_(store), kind_(std::move(kind)), handlers_(std::move(handlers)) {}

KindWatch::~KindWatch() { Stop(); }

void KindWatch::Start() { thread_ = std::thread([this] { Run(); }); }

void KindWatch::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (watcher_) watcher_->Stop();
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool KindWatch::Pause(milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stopping_.load(); });
  return !stopping_;
}

void KindWatch::Run() {
  std::int64_t from = 0;
  bool listed = false;
  while (!stopping_) {
    if (!listed) {
      store::ListOptions list_options;
      list_options.kind = kind_;
      auto list = store_->List(list_options);
      if (!list.ok()) {
        LogWarn("listing failed; retrying", {{"kind", kind_}, {"error", list.status().ToString()}});
        Pause(kRetryPause);
        continue;
      }
      handlers_.on_list(list->items);
      from = list->resource_version;
      listed = true;
    }
    store::WatchOptions watch_options;
    watch_options.kind = kind_;
    watch_options.from_rv = from;
    auto watcher = store_->Watch(watch_options);
    if (!watcher.ok()) {
      listed = false;
      Pause(kRetryPause);
      continue;
    }
    // from_rv 0 means "from now on", not "after 0": a write between the list of an empty store
    // and the watch would be missed. Only a store still at 0 after the watch opened is safe.
    if (from == 0 && store_->CurrentResourceVersion() != 0) {
      listed = false;
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      watcher_ = std::move(*watcher);
      if (stopping_) watcher_->Stop();
    }
    while (!stopping_) {
      auto next = watcher_->Next(kPollTimeout);
      if (!next.ok()) {
        // kGone: fell behind; anything else: the watch broke. Relist either way (after a pause
        // unless it was kGone, so a broken store is not hammered).
        listed = false;
        if (next.status().code() != StatusCode::kGone) Pause(kRetryPause);
        break;
      }
      if (!next->has_value()) continue;
      from = (*next)->resource_version;
      handlers_.on_event(**next);
    }
    std::lock_guard<std::mutex> lock(mu_);
    watcher_.reset();
  }
}

}  // namespace moor::reconciler
