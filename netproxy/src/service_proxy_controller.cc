#include "moor/netproxy/service_proxy_controller.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "moor/common/log.h"
#include "moor/netproxy/service_table.h"
#include "moor/store/kind_watch.h"

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
    services_watch_.Start();
    endpoints_watch_.Start();
    sync_thread_ = std::thread([this] { SyncLoop(); });
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    changed_.notify_all();
    services_watch_.Stop();  // joins; its handlers take mu_, so not under it
    endpoints_watch_.Stop();
    if (sync_thread_.joinable()) sync_thread_.join();
  }

 private:
  void MarkDirty() {
    dirty_ = true;
    changed_.notify_all();
  }

  // Handlers that keep `cache` equal to the objects of one kind (level-triggered: a relist
  // replaces it) and set `listed` after the first list.
  store::KindWatchHandlers Mirror(Cache& cache, bool& listed) {
    return {[this, &cache, &listed](const std::vector<manifests::Object>& items) {
              Cache fresh;
              for (const manifests::Object& obj : items) {
                fresh[{manifests::NamespaceOf(obj), manifests::NameOf(obj)}] = obj;
              }
              std::lock_guard<std::mutex> lock(mu_);
              cache = std::move(fresh);
              listed = true;
              MarkDirty();
            },
            [this, &cache](const store::WatchEvent& event) {
              std::pair<std::string, std::string> key{manifests::NamespaceOf(event.object),
                                                      manifests::NameOf(event.object)};
              std::lock_guard<std::mutex> lock(mu_);
              if (event.type == store::WatchEvent::Type::kDeleted) {
                cache.erase(key);
              } else {
                cache[std::move(key)] = event.object;
              }
              MarkDirty();
            }};
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

  std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;                 // GUARDED_BY(mu_)
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

  // Last: stopped (joined) before the members their handlers use go.
  store::KindWatch services_watch_{options_.cluster, "Service", Mirror(services_, services_listed_)};
  store::KindWatch endpoints_watch_{options_.cluster, "Endpoints", Mirror(endpoints_, endpoints_listed_)};
  std::thread sync_thread_;
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
