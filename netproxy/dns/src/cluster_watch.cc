#include "moor/netproxy/dns/cluster_watch.h"

#include <vector>

namespace moor::netproxy::dns {
namespace {

std::string KeyOf(const manifests::Object& obj) { return manifests::NamespaceOf(obj) + "/" + manifests::NameOf(obj); }

}  // namespace

ClusterWatch::ClusterWatch(store::ClusterClient* cluster)
    : view_(std::make_shared<const ClusterView>()),
      services_watch_(cluster, "Service", Mirror(services_)),
      endpoints_watch_(cluster, "Endpoints", Mirror(endpoints_)) {}

StatusOr<std::unique_ptr<ClusterWatch>> ClusterWatch::Start(store::ClusterClient* cluster) {
  if (cluster == nullptr) return InvalidArgumentError("the cluster DNS needs a cluster client");
  std::unique_ptr<ClusterWatch> watch(new ClusterWatch(cluster));
  MOOR_RETURN_IF_ERROR(watch->services_watch_.ListAndStart().WithContext("the cluster DNS"));
  MOOR_RETURN_IF_ERROR(watch->endpoints_watch_.ListAndStart().WithContext("the cluster DNS"));
  return watch;
}

ClusterWatch::~ClusterWatch() { Stop(); }

void ClusterWatch::Stop() {
  services_watch_.Stop();
  endpoints_watch_.Stop();
}

std::shared_ptr<const ClusterView> ClusterWatch::View() const {
  std::lock_guard<std::mutex> lock(mu_);
  return view_;
}

store::KindWatchHandlers ClusterWatch::Mirror(Objects& objects) {
  return {[this, &objects](const std::vector<manifests::Object>& items) {
            Objects fresh;
            for (const manifests::Object& obj : items) fresh[KeyOf(obj)] = obj;
            std::lock_guard<std::mutex> lock(mu_);
            objects = std::move(fresh);
            Publish();
          },
          [this, &objects](const store::WatchEvent& event) {
            std::lock_guard<std::mutex> lock(mu_);
            if (event.type == store::WatchEvent::Type::kDeleted) {
              objects.erase(KeyOf(event.object));
            } else {
              objects[KeyOf(event.object)] = event.object;
            }
            Publish();
          }};
}

void ClusterWatch::Publish() {
  std::vector<manifests::Object> services, endpoints;
  for (const auto& [key, obj] : services_) services.push_back(obj);
  for (const auto& [key, obj] : endpoints_) endpoints.push_back(obj);
  view_ = std::make_shared<const ClusterView>(ClusterView::Build(services, endpoints));
}

}  // namespace moor::netproxy::dns
