#include "moor/reconciler/pod_binder.h"

#include <atomic>
#include <thread>

#include "moor/common/log.h"

namespace moor::reconciler {
namespace {

using std::chrono::milliseconds;

class PodBinderImpl final : public PodBinder {
 public:
  explicit PodBinderImpl(PodBinderOptions options) : options_(std::move(options)) {}
  ~PodBinderImpl() override { Stop(); }

  void StartThread() { thread_ = std::thread([this] { Loop(); }); }

  void Stop() override {
    if (stopping_.exchange(true)) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (watcher_) watcher_->Stop();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  // Binds `pod` if it has no node; a conflict means someone changed it: the watch brings it back.
  void Bind(const store::Object& pod) {
    const store::Object& node = manifests::FieldAt(pod, "spec.nodeName");
    if (node.is_string() && !node.get<std::string>().empty()) return;
    store::Object bound = pod;
    bound["spec"]["nodeName"] = options_.node_name;
    auto written = options_.store->Update(bound);
    if (!written.ok()) {
      if (written.status().code() != StatusCode::kConflict && written.status().code() != StatusCode::kNotFound) {
        LogWarn("binding a pod failed", {{"pod", manifests::KeyOf(pod).ToString()}, {"error", written.status().ToString()}});
      }
      return;
    }
    store::EventInput event;
    event.involved = manifests::KeyOf(pod);
    event.involved_api_version = "v1";
    event.involved_uid = manifests::FieldAt(pod, "metadata.uid").is_string()
                             ? manifests::FieldAt(pod, "metadata.uid").get<std::string>()
                             : "";
    event.reason = "Scheduled";
    event.message = "Successfully assigned " + manifests::NamespaceOf(pod) + "/" + manifests::NameOf(pod) + " to " +
                    options_.node_name;
    event.component = "moor-scheduler";
    Status st = options_.store->RecordEvent(event);
    (void)st;
  }

  void Loop() {
    std::int64_t from = 0;
    while (!stopping_) {
      if (from == 0) {
        store::ListOptions list_options;
        list_options.kind = "Pod";
        auto list = options_.store->List(list_options);
        if (!list.ok()) {
          std::this_thread::sleep_for(milliseconds(500));
          continue;
        }
        for (const store::Record& r : list->items) Bind(r.object);
        from = list->resource_version;
      }
      store::WatchOptions watch_options;
      watch_options.kind = "Pod";
      watch_options.from_rv = from;
      auto watcher = options_.store->Watch(watch_options);
      if (!watcher.ok()) {
        from = 0;
        std::this_thread::sleep_for(milliseconds(500));
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        watcher_ = std::move(*watcher);
        if (stopping_) watcher_->Stop();
      }
      while (!stopping_) {
        auto next = watcher_->Next(milliseconds(1000));
        if (!next.ok()) {
          if (next.status().code() == StatusCode::kGone) from = 0;
          break;
        }
        if (!next->has_value()) continue;
        from = (*next)->resource_version;
        if ((*next)->type != store::WatchEvent::Type::kDeleted) Bind((*next)->object);
      }
    }
  }

  PodBinderOptions options_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::unique_ptr<store::Watcher> watcher_;
  std::thread thread_;
};

}  // namespace

StatusOr<std::unique_ptr<PodBinder>> PodBinder::Start(PodBinderOptions options) {
  if (options.store == nullptr || options.node_name.empty()) {
    return InvalidArgumentError("pod binder: store and node name are required");
  }
  auto binder = std::make_unique<PodBinderImpl>(std::move(options));
  binder->StartThread();
  return std::unique_ptr<PodBinder>(std::move(binder));
}

}  // namespace moor::reconciler
