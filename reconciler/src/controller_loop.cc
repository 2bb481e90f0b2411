#include "controller_loop.h"

#include <algorithm>

#include "moor/common/log.h"

namespace moor::reconciler {

namespace {
constexpr std::chrono::milliseconds kFirstRetry{100};
constexpr std::chrono::milliseconds kMaxRetry{10000};
}  // namespace

ControllerLoop::ControllerLoop(std::string name, store::Store* store, ReconcileFn reconcile)
    : name_(std::move(name)), client_(*store), reconcile_(std::move(reconcile)) {}

ControllerLoop::~ControllerLoop() { Stop(); }

void ControllerLoop::AddWatch(const std::string& kind, store::KindWatchHandlers handlers) {
  auto on_list = std::move(handlers.on_list);
  auto first = std::make_shared<bool>(true);  // touched only on that watch's thread
  handlers.on_list = [this, on_list = std::move(on_list), first](const std::vector<manifests::Object>& items) {
    on_list(items);
    if (!*first) return;
    *first = false;
    std::lock_guard<std::mutex> lock(mu_);
    ++listed_;
    synced_cv_.notify_all();
  };
  watches_.push_back(std::make_unique<store::KindWatch>(&client_, kind, std::move(handlers)));
}

void ControllerLoop::Start() {
  for (auto& watch : watches_) watch->Start();
  worker_ = std::thread([this] { Work(); });
}

void ControllerLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    synced_cv_.notify_all();
  }
  for (auto& watch : watches_) watch->Stop();
  queue_.ShutDown();
  if (worker_.joinable()) worker_.join();
}

void ControllerLoop::Work() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    synced_cv_.wait(lock, [this] { return stopping_ || listed_ == watches_.size(); });
    if (stopping_) return;
  }
  std::map<manifests::ObjectKey, int> failures;
  while (auto key = queue_.Get()) {
    Status st = reconcile_(*key);
    if (st.ok()) {
      failures.erase(*key);
      continue;
    }
    int n = ++failures[*key];
    auto delay = std::min(kMaxRetry, kFirstRetry * (1 << std::min(n - 1, 7)));
    // Conflicts are the normal cost of optimistic concurrency; only other errors are news.
    if (st.code() != StatusCode::kConflict) {
      LogWarn("reconcile failed; retrying", {{"controller", name_}, {"key", key->ToString()},
                                             {"error", st.ToString()}, {"attempt", std::to_string(n)}});
    }
    queue_.AddAfter(*key, delay);
  }
}

}  // namespace moor::reconciler
