#include "moor/store/kind_watch.h"

#include "moor/common/log.h"

namespace moor::store {

using std::chrono::milliseconds;

namespace {
constexpr milliseconds kRetryPause{500};
constexpr milliseconds kPollTimeout{1000};
}  // namespace

KindWatch::KindWatch(ClusterClient* client, std::string kind, KindWatchHandlers handlers)
    : client_(client), kind_(std::move(kind)), handlers_(std::move(handlers)) {}

KindWatch::~KindWatch() { Stop(); }

void KindWatch::Start() { thread_ = std::thread([this] { Run(); }); }

Status KindWatch::ListAndStart() {
  MOOR_RETURN_IF_ERROR(List());
  Start();
  return Status::Ok();
}

void KindWatch::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (watcher_) watcher_->Stop();
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void KindWatch::Pause(milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void KindWatch::SetWatcher(std::unique_ptr<Watcher> w) {
  std::lock_guard<std::mutex> lock(mu_);
  watcher_ = std::move(w);
  if (stopping_ && watcher_) watcher_->Stop();
}

Status KindWatch::List() {
  listed_ = false;
  SetWatcher(nullptr);
  StatusOr<ObjectList> list = client_->List(kind_, std::nullopt);
  if (!list.ok()) return list.status().WithContext("listing " + kind_);
  if (list->resource_version == 0) {
    // Watch(from 0) starts at the store's rv when it opens, not after 0. Open it, then list
    // again: still 0 means nothing was written before the watch began, so it misses nothing;
    // otherwise the second list has every write so far and the watch starts from it instead.
    StatusOr<std::unique_ptr<Watcher>> watcher = client_->Watch(kind_, 0);
    if (!watcher.ok()) return watcher.status().WithContext("watching " + kind_);
    list = client_->List(kind_, std::nullopt);
    if (!list.ok()) return list.status().WithContext("listing " + kind_);
    if (list->resource_version == 0) SetWatcher(std::move(*watcher));
  }
  handlers_.on_list(list->items);
  from_ = list->resource_version;
  listed_ = true;
  return Status::Ok();
}

void KindWatch::Run() {
  while (!stopping_) {
    if (!listed_) {
      Status st = List();
      if (!st.ok()) {
        LogWarn("list failed; retrying", {{"kind", kind_}, {"error", st.ToString()}});
        Pause(kRetryPause);
        continue;
      }
    }
    if (!watcher_) {
      StatusOr<std::unique_ptr<Watcher>> watcher = client_->Watch(kind_, from_);
      if (!watcher.ok()) {
        // kGone: the list is already too old; anything else: the backend is away. Relist either
        // way, after a pause so a backend that keeps failing is not hammered.
        LogWarn("watch failed; relisting", {{"kind", kind_}, {"error", watcher.status().ToString()}});
        listed_ = false;
        Pause(kRetryPause);
        continue;
      }
      SetWatcher(std::move(*watcher));
    }
    bool gone = Follow();
    listed_ = false;
    SetWatcher(nullptr);
    if (!gone) Pause(kRetryPause);  // kGone relists at once; a broken watch after a pause
  }
}

bool KindWatch::Follow() {
  while (!stopping_) {
    StatusOr<std::optional<WatchEvent>> next = watcher_->Next(kPollTimeout);
    if (!next.ok()) {
      if (next.status().code() == StatusCode::kGone) return true;
      if (!stopping_) LogWarn("watch ended; relisting", {{"kind", kind_}, {"error", next.status().ToString()}});
      return false;
    }
    if (!next->has_value()) continue;
    from_ = (*next)->resource_version;
    handlers_.on_event(**next);
  }
  return false;
}

}  // namespace moor::store
