#include "moor/reconciler/pod_binder.h"

#include <vector>

#include "moor/common/log.h"
#include "moor/store/kind_watch.h"
#include "moor/store/store_cluster_client.h"

namespace moor::reconciler {
namespace {

class PodBinderImpl final : public PodBinder {
 public:
  explicit PodBinderImpl(PodBinderOptions options) : options_(std::move(options)) {}
  ~PodBinderImpl() override { Stop(); }

  void StartWatch() { watch_.Start(); }

  void Stop() override { watch_.Stop(); }

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

  PodBinderOptions options_;
  store::StoreClusterClient client_{*options_.store};
  // Every Pod, listed and then followed; Bind skips the bound ones. Last: stopped first.
  store::KindWatch watch_{&client_, "Pod",
                          {[this](const std::vector<store::Object>& pods) {
                             for (const store::Object& pod : pods) Bind(pod);
                           },
                           [this](const store::WatchEvent& e) {
                             if (e.type != store::WatchEvent::Type::kDeleted) Bind(e.object);
                           }}};
};

}  // namespace

StatusOr<std::unique_ptr<PodBinder>> PodBinder::Start(PodBinderOptions options) {
  if (options.store == nullptr || options.node_name.empty()) {
    return InvalidArgumentError("pod binder: store and node name are required");
  }
  auto binder = std::make_unique<PodBinderImpl>(std::move(options));
  binder->StartWatch();
  return std::unique_ptr<PodBinder>(std::move(binder));
}

}  // namespace moor::reconciler
