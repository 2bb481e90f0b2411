#include "moor/reconciler/endpoints_controller.h"

#include <charconv>
#include <map>
#include <mutex>
#include <optional>

#include "controller_loop.h"
#include "moor/manifests/selector.h"
#include "moor/reconciler/compute_endpoints.h"

namespace moor::reconciler {
namespace {

using manifests::Object;
using manifests::ObjectKey;

// A Service as the controller caches it: with its selector ready to match (nullopt when the
// Service has no selector, or one that cannot be parsed — neither gets Endpoints).
struct CachedService {
  Object object;
  std::optional<manifests::LabelSelector> selector;
};

std::optional<manifests::LabelSelector> SelectorOf(const Object& service) {
  auto labels = ServiceSelector(service);
  if (labels.empty()) return std::nullopt;
  Object selector = Object::object();
  selector["matchLabels"] = labels;
  auto parsed = manifests::LabelSelector::FromObject(selector);
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

// metadata.resourceVersion as the store writes it (a decimal string); nullopt if unreadable.
std::optional<int64_t> ResourceVersionOf(const Object& obj) {
  const Object& rv = manifests::FieldAt(obj, "metadata.resourceVersion");
  if (rv.is_number_integer()) return rv.get<int64_t>();
  if (!rv.is_string()) return std::nullopt;
  const std::string& text = rv.get_ref<const std::string&>();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

ObjectKey ServiceKey(const std::string& ns, const std::string& name) { return ObjectKey{"Service", ns, name}; }

class EndpointsControllerImpl final : public EndpointsController {
 public:
  explicit EndpointsControllerImpl(EndpointsControllerOptions options)
      : options_(options),
        loop_("endpoints", options.store, [this](const ObjectKey& key) { return Reconcile(key); }) {
    loop_.AddWatch("Service", {[this](const std::vector<Object>& items) { ListServices(items); },
                               [this](const store::WatchEvent& e) { ServiceChanged(e); }});
    loop_.AddWatch("Pod", {[this](const std::vector<Object>& items) { ListPods(items); },
                           [this](const store::WatchEvent& e) { PodChanged(e); }});
    // Endpoints changes (our own writes included) just check the same-named Service again:
    // a deleted or edited managed Endpoints is put back, an orphaned one removed.
    loop_.AddWatch("Endpoints", {[this](const std::vector<Object>& items) {
                                   for (const Object& obj : items) loop_.Enqueue(KeyFor(obj));
                                 },
                                 [this](const store::WatchEvent& e) { loop_.Enqueue(KeyFor(e.object)); }});
  }
  ~EndpointsControllerImpl() override { Stop(); }

  void StartLoop() { loop_.Start(); }
  void Stop() override { loop_.Stop(); }

 private:
  static ObjectKey KeyFor(const Object& obj) {
    return ServiceKey(manifests::NamespaceOf(obj), manifests::NameOf(obj));
  }

  void ListServices(const std::vector<Object>& items) {
    std::map<ObjectKey, CachedService> fresh;
    for (const Object& obj : items) fresh[KeyFor(obj)] = CachedService{obj, SelectorOf(obj)};
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, unused] : services_) loop_.Enqueue(key);  // gone ones lose their Endpoints
    for (const auto& [key, unused] : fresh) loop_.Enqueue(key);
    services_ = std::move(fresh);
  }

  void ServiceChanged(const store::WatchEvent& e) {
    ObjectKey key = KeyFor(e.object);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (e.type == store::WatchEvent::Type::kDeleted) {
        services_.erase(key);
      } else {
        services_[key] = CachedService{e.object, SelectorOf(e.object)};
      }
    }
    loop_.Enqueue(key);
  }

  void ListPods(const std::vector<Object>& items) {
    std::map<std::string, std::map<std::string, Object>> fresh;
    for (const Object& obj : items) fresh[manifests::NamespaceOf(obj)][manifests::NameOf(obj)] = obj;
    std::lock_guard<std::mutex> lock(mu_);
    pods_ = std::move(fresh);
    for (const auto& [key, unused] : services_) loop_.Enqueue(key);
  }

  void PodChanged(const store::WatchEvent& e) {
    const std::string ns = manifests::NamespaceOf(e.object);
    const std::string name = manifests::NameOf(e.object);
    std::lock_guard<std::mutex> lock(mu_);
    auto& in_ns = pods_[ns];
    manifests::Labels old_labels;
    if (auto it = in_ns.find(name); it != in_ns.end()) old_labels = manifests::LabelsOf(it->second);
    manifests::Labels new_labels = manifests::LabelsOf(e.object);
    if (e.type == store::WatchEvent::Type::kDeleted) {
      in_ns.erase(name);
    } else {
      in_ns[name] = e.object;
    }
    // Services that selected the pod before or select it now.
    for (auto it = services_.lower_bound(ServiceKey(ns, "")); it != services_.end() && it->first.ns == ns; ++it) {
      const auto& selector = it->second.selector;
      if (selector && (selector->Matches(old_labels) || selector->Matches(new_labels))) loop_.Enqueue(it->first);
    }
  }

  // The Endpoints `key`'s Service should have now, or nullopt if it should have none.
  std::optional<Object> Desired(const ObjectKey& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto svc = services_.find(key);
    if (svc == services_.end() || !svc->second.selector) return std::nullopt;
    std::vector<Object> selected;
    if (auto in_ns = pods_.find(key.ns); in_ns != pods_.end()) {
      for (const auto& [name, pod] : in_ns->second) {
        if (svc->second.selector->Matches(manifests::LabelsOf(pod))) selected.push_back(pod);
      }
    }
    return ComputeEndpoints(svc->second.object, selected);
  }

  Status Reconcile(const ObjectKey& service_key) {
    const ObjectKey key{"Endpoints", service_key.ns, service_key.name};
    std::optional<Object> desired = Desired(service_key);
    auto stored = options_.store->Get(key);
    if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
    const Object* existing = stored.ok() ? &stored->object : nullptr;

    if (!desired) {
      if (existing == nullptr || !IsManagedEndpoints(*existing)) return Status::Ok();
      auto deleted = options_.store->Delete(key, ResourceVersionOf(*existing));
      if (!deleted.ok() && deleted.status().code() != StatusCode::kNotFound) return deleted.status();
      return Status::Ok();
    }
    if (existing == nullptr) {
      auto created = options_.store->Create(*desired);
      return created.ok() ? Status::Ok() : created.status();
    }
    if (SameEndpointsContent(*existing, *desired)) return Status::Ok();
    Object updated = *existing;  // keeps resourceVersion: the precondition of the update
    updated["metadata"]["labels"] = (*desired)["metadata"]["labels"];
    if (desired->contains("subsets")) {
      updated["subsets"] = (*desired)["subsets"];
    } else {
      updated.erase("subsets");
    }
    auto written = options_.store->Update(updated);
    return written.ok() ? Status::Ok() : written.status();
  }

  EndpointsControllerOptions options_;
  std::mutex mu_;
  std::map<ObjectKey, CachedService> services_;                     // guarded by mu_
  std::map<std::string, std::map<std::string, Object>> pods_;       // ns -> name -> pod; guarded by mu_
  ControllerLoop loop_;  // last: stopped (by Stop) before the members its callbacks use go
};

}  // namespace

StatusOr<std::unique_ptr<EndpointsController>> EndpointsController::Start(EndpointsControllerOptions options) {
  if (options.store == nullptr) return InvalidArgumentError("endpoints controller: a store is required");
  auto controller = std::make_unique<EndpointsControllerImpl>(options);
  controller->StartLoop();
  return std::unique_ptr<EndpointsController>(std::move(controller));
}

}  // namespace moor::reconciler
