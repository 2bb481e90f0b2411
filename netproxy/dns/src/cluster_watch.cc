#include "moor/netproxy/dns/cluster_watch.h"

#include <vector>

#include "moor/common/log.h"

namespace moor::netproxy::dns {
namespace {

std::string KeyOf(const manifests::Object& obj) { return manifests::NamespaceOf(obj) + "/" + manifests::NameOf(obj); }

}  // namespace

ClusterWatch::ClusterWatch(store::ClusterClient* cluster) : cluster_(cluster) {
  services_.kind = "Service";
  endpoints_.kind = "Endpoints";
  view_ = std::make_shared<const ClusterView>();
}

StatusOr<std::unique_ptr<ClusterWatch>> ClusterWatch::Start(store::ClusterClient* cluster) {
  if (cluster == nullptr) return InvalidArgumentError("the cluster DNS needs a cluster client");
  std::unique_ptr<ClusterWatch> watch(new ClusterWatch(cluster));
  MOOR_RETURN_IF_ERROR(watch->List(watch->services_));
  MOOR_RETURN_IF_ERROR(watch->List(watch->endpoints_));
  watch->services_thread_ = std::thread([w = watch.get()] { w->Run(w->services_); });
  watch->endpoints_thread_ = std::thread([w = watch.get()] { w->Run(w->endpoints_); });
  return watch;
}

ClusterWatch::~ClusterWatch() { Stop(); }

void ClusterWatch::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (services_.watcher) services_.watcher->Stop();
    if (endpoints_.watcher) endpoints_.watcher->Stop();
  }
  stop_cv_.notify_all();
  if (services_thread_.joinable()) services_thread_.join();
  if (endpoints_thread_.joinable()) endpoints_thread_.join();
}

std::shared_ptr<const ClusterView> ClusterWatch::View() const {
  std::lock_guard<std::mutex> lock(mu_);
  return view_;
}

Status ClusterWatch::List(Mirror& mirror) {
  auto list = cluster_->List(mirror.kind, std::nullopt);
  if (!list.ok()) return list.status().WithContext("listing " + mirror.kind + " for the cluster DNS");
  std::map<std::string, manifests::Object> objects;
  for (manifests::Object& obj : list->items) {
    std::string key = KeyOf(obj);  // before the move: nlohmann's operator= takes its argument by value
    objects[key] = std::move(obj);
  }
  std::lock_guard<std::mutex> lock(mu_);
  mirror.objects = std::move(objects);
  mirror.resource_version = list->resource_version;
  mirror.listed = true;
  Publish();
  return Status::Ok();
}

void ClusterWatch::Publish() {
  std::vector<manifests::Object> services, endpoints;
  for (const auto& [key, obj] : services_.objects) services.push_back(obj);
  for (const auto& [key, obj] : endpoints_.objects) endpoints.push_back(obj);
  view_ = std::make_shared<const ClusterView>(ClusterView::Build(services, endpoints));
}

void ClusterWatch::Run(Mirror& mirror) {
  bool need_list = false;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    if (need_list) {
      Status st = List(mirror);
      if (!st.ok()) {
        LogWarn("cluster DNS cannot list", {{"kind", mirror.kind}, {"error", st.ToString()}});
        std::unique_lock<std::mutex> lock(mu_);
        stop_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
        continue;
      }
      need_list = false;
    }
    if (!mirror.watcher) {
      auto watcher = cluster_->Watch(mirror.kind, mirror.resource_version);
      std::unique_lock<std::mutex> lock(mu_);
      if (!watcher.ok()) {
        need_list = true;
        if (watcher.status().code() != StatusCode::kGone) {
          LogWarn("cluster DNS cannot watch", {{"kind", mirror.kind}, {"error", watcher.status().ToString()}});
          stop_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
        }
        continue;
      }
      mirror.watcher = std::move(*watcher);
      if (stopping_) mirror.watcher->Stop();
    }
    auto event = mirror.watcher->Next(std::chrono::seconds(1));
    if (!event.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      if (event.status().code() != StatusCode::kGone) {
        LogWarn("cluster DNS watch failed", {{"kind", mirror.kind}, {"error", event.status().ToString()}});
      }
      mirror.watcher.reset();
      need_list = true;
      continue;
    }
    if (!event->has_value()) continue;
    const store::WatchEvent& ev = **event;
    std::lock_guard<std::mutex> lock(mu_);
    if (ev.type == store::WatchEvent::Type::kDeleted) {
      mirror.objects.erase(KeyOf(ev.object));
    } else {
      mirror.objects[KeyOf(ev.object)] = ev.object;
    }
    mirror.resource_version = ev.resource_version;
    Publish();
  }
}

}  // namespace moor::netproxy::dns
