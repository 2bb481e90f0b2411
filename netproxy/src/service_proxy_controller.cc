#include "moor/netproxy/service_proxy_controller.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "moor/common/log.h"
#include "moor/netproxy/service_table.h"

namespace moor::netproxy {

namespace {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;
using Cache = std::map<std::pair<std::string, std::string>, manifests::Object>;  // (ns, name)

class ServiceProxyControllerImpl final : public ServiceProxyController {
 public:
  explicit ServiceProxyControllerImpl(ServiceProxyControllerOptions options) : options_(std::move(options)) {}
  ~ServiceProxyControllerImpl() override { Stop(); }

  void Begin() {
    threads_.emplace_back([this] { WatchLoop("Service", services_, services_listed_); });
    threads_.emplace_back([this] { WatchLoop("Endpoints", endpoints_, endpoints_listed_); });
    threads_.emplace_back([this] { SyncLoop(); });
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      for (store::Watcher* w : watchers_) w->Stop();
    }
    changed_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  // Waits up to `d`; false when stopping.
  bool SleepFor(milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, d, [this] { return stopping_; });
    return !stopping_;
  }

  void MarkDirty() {
    dirty_ = true;
    changed_.notify_all();
  }

  // Keeps `cache` equal to the objects of `kind` (level-triggered: a relist replaces it).
  void WatchLoop(const std::string& kind, Cache& cache, bool& listed) {
    std::int64_t from = 0;
    milliseconds retry{500};
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      if (from == 0) {
        auto list = options_.cluster->List(kind, std::nullopt);
        if (!list.ok()) {
          LogWarn("service proxy: list failed", {{"kind", kind}, {"error", list.status().ToString()}});
          if (!SleepFor(retry)) return;
          retry = std::min(retry * 2, milliseconds(10000));
          continue;
        }
        Cache fresh;
        for (auto& obj : list->items) {
          std::pair<std::string, std::string> key{manifests::NamespaceOf(obj), manifests::NameOf(obj)};
          fresh[std::move(key)] = std::move(obj);
        }
        std::lock_guard<std::mutex> lock(mu_);
        cache = std::move(fresh);
        listed = true;
        from = list->resource_version;
        MarkDirty();
      }
      auto watcher = options_.cluster->Watch(kind, from);
      if (!watcher.ok()) {
        if (watcher.status().code() == StatusCode::kGone) {
          from = 0;  // too old: relist (after a short pause, in case the backend keeps saying so)
          if (!SleepFor(milliseconds(100))) return;
          continue;
        }
        LogWarn("service proxy: watch failed", {{"kind", kind}, {"error", watcher.status().ToString()}});
        if (!SleepFor(retry)) return;
        retry = std::min(retry * 2, milliseconds(10000));
        continue;
      }
      retry = milliseconds(500);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        watchers_.insert(watcher->get());
      }
      bool pause = false;
      while (true) {
        auto next = (*watcher)->Next(milliseconds(1000));
        if (!next.ok()) {
          if (next.status().code() == StatusCode::kGone) from = 0;  // fell behind: relist
          else pause = true;                                          // stopped, or the store is away
          break;
        }
        if (!next->has_value()) continue;
        store::WatchEvent& event = **next;
        from = event.resource_version;
        std::pair<std::string, std::string> key{manifests::NamespaceOf(event.object), manifests::NameOf(event.object)};
        std::lock_guard<std::mutex> lock(mu_);
        if (event.type == store::WatchEvent::Type::kDeleted) {
          cache.erase(key);
        } else {
          cache[std::move(key)] = std::move(event.object);
        }
        MarkDirty();
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        watchers_.erase(watcher->get());
      }
      if (pause && !SleepFor(retry)) return;
    }
  }

  // When the next sync is due (nullopt: only a change can make one due). Caller holds mu_.
  std::optional<SteadyTime> NextSyncDue() const {
    if (!services_listed_ || !endpoints_listed_) return std::nullopt;
    std::optional<SteadyTime> due;
    auto earliest = [&](SteadyTime t) { due = due ? std::min(*due, t) : t; };
    if (failed_) {
      earliest(retry_at_);
    } else if (dirty_) {
      earliest(last_attempt_ ? *last_attempt_ + options_.min_sync_interval : SteadyTime::min());
    }
    if (applied_) earliest(*last_success_ + options_.resync);
    return due;
  }

  void SyncLoop() {
    milliseconds backoff = options_.initial_backoff;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      std::optional<SteadyTime> due = NextSyncDue();
      SteadyTime now = std::chrono::steady_clock::now();
      if (!due) {
        changed_.wait(lock);
        continue;
      }
      if (now < *due) {
        changed_.wait_until(lock, *due);
        continue;
      }
      bool resync_due = applied_ && now >= *last_success_ + options_.resync;
      dirty_ = false;
      std::vector<manifests::Object> services, endpoints;
      services.reserve(services_.size());
      endpoints.reserve(endpoints_.size());
      for (const auto& [key, obj] : services_) services.push_back(obj);
      for (const auto& [key, obj] : endpoints_) endpoints.push_back(obj);
      lock.unlock();

      ServiceTable table = BuildServiceTable(services, endpoints);
      bool same = applied_ && *applied_ == table;  // applied_ is written only by this thread
      if (same && !failed_ && !resync_due) {
        lock.lock();
        continue;
      }
      Status status = options_.proxy->Apply(table);
      SteadyTime done = std::chrono::steady_clock::now();
      lock.lock();
      last_attempt_ = done;
      if (status.ok()) {
        if (!same || failed_) {
          LogInfo("service rules applied",
                  {{"ports", std::to_string(table.ports.size())},
                   {"ms", std::to_string(std::chrono::duration_cast<milliseconds>(done - now).count())}});
        }
        applied_ = std::move(table);
        last_success_ = done;
        failed_ = false;
        backoff = options_.initial_backoff;
      } else {
        LogWarn("service rules not applied; retrying",
                {{"error", status.ToString()}, {"retry_in_ms", std::to_string(backoff.count())}});
        failed_ = true;
        retry_at_ = done + backoff;
        backoff = std::min(backoff * 2, options_.max_backoff);
      }
    }
  }

  const ServiceProxyControllerOptions options_;
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;                 // GUARDED_BY(mu_)
  std::set<store::Watcher*> watchers_;    // GUARDED_BY(mu_)
  Cache services_;                        // GUARDED_BY(mu_)
  Cache endpoints_;                       // GUARDED_BY(mu_)
  bool services_listed_ = false;          // GUARDED_BY(mu_)
  bool endpoints_listed_ = false;         // GUARDED_BY(mu_)
  bool dirty_ = false;                    // GUARDED_BY(mu_)
  // Written by the sync thread only (read under mu_ there too).
  std::optional<ServiceTable> applied_;   // the last table applied successfully
  std::optional<SteadyTime> last_attempt_;
  std::optional<SteadyTime> last_success_;
  bool failed_ = false;
  SteadyTime retry_at_{};
};

}  // namespace

StatusOr<std::unique_ptr<ServiceProxyController>> ServiceProxyController::Start(ServiceProxyControllerOptions options) {
  if (options.cluster == nullptr) return InvalidArgumentError("service proxy controller: no cluster client");
  if (options.proxy == nullptr) return InvalidArgumentError("service proxy controller: no service proxy");
  if (options.min_sync_interval.count() < 0 || options.resync.count() <= 0 || options.initial_backoff.count() <= 0 ||
      options.max_backoff < options.initial_backoff) {
    return InvalidArgumentError("service proxy controller: intervals must be positive (max_backoff >= initial_backoff)");
  }
  auto controller = std::make_unique<ServiceProxyControllerImpl>(std::move(options));
  controller->Begin();
  return std::unique_ptr<ServiceProxyController>(std::move(controller));
}

}  // namespace moor::netproxy
