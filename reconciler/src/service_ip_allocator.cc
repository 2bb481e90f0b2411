#include "moor/reconciler/service_ip_allocator.h"

#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "controller_loop.h"
#include "moor/common/ipv4_cidr.h"
#include "moor/reconciler/service_ip_range.h"

namespace moor::reconciler {
namespace {

using manifests::FieldAt;
using manifests::Object;
using manifests::ObjectKey;

std::string Str(const Object& obj, std::string_view path) {
  const Object& v = FieldAt(obj, path);
  return v.is_string() ? v.get<std::string>() : "";
}

// Without a claim seen live, who keeps an address two Services hold: the older one (then the
// smaller key), as the one created first would have kept it in Kubernetes.
auto Seniority(const Object& service) {
  return std::make_tuple(Str(service, "metadata.creationTimestamp"), manifests::NamespaceOf(service),
                         manifests::NameOf(service));
}

class ServiceIPAllocatorImpl final : public ServiceIPAllocator {
 public:
  ServiceIPAllocatorImpl(store::Store* store, Ipv4Cidr cidr, std::set<std::uint32_t> reserved)
      : store_(store),
        cidr_(cidr),
        reserved_(std::move(reserved)),
        loop_("clusterip-allocator", store, [this](const ObjectKey& key) { return Reconcile(key); }) {
    loop_.AddWatch("Service", {[this](const std::vector<Object>& items) {
                                 for (const Object& obj : items) loop_.Enqueue(manifests::KeyOf(obj));
                               },
                               [this](const store::WatchEvent& e) {
                                 if (e.type != store::WatchEvent::Type::kDeleted) loop_.Enqueue(manifests::KeyOf(e.object));
                               }});
  }
  ~ServiceIPAllocatorImpl() override { Stop(); }

  void StartLoop() { loop_.Start(); }
  void Stop() override { loop_.Stop(); }

 private:
  // Everything below runs on the loop's single worker thread.

  void Warn(const Object& service, const std::string& reason, const std::string& message) {
    ObjectKey key = manifests::KeyOf(service);
    std::string what = reason + ":" + Str(service, "spec.clusterIP");
    if (warned_[key] == what) return;  // once per address, not on every change of the Service
    store::EventInput event;
    event.involved = key;
    event.involved_api_version = "v1";
    event.involved_uid = Str(service, "metadata.uid");
    event.type = "Warning";
    event.reason = reason;
    event.message = message;
    event.component = "moor-clusterip-allocator";
    if (store_->RecordEvent(event).ok()) warned_[key] = what;
  }

  // Which Service keeps `address` when `service` and `others` all claim it: nullptr if
  // `service` does, else the one that does. The one this allocator saw holding it first wins
  // (it allocated it, or saw it given without a clash); without such a claim (after a restart)
  // the oldest Service does.
  const Object* Holder(std::uint32_t address, const Object& service, const std::vector<Object>& others) {
    ObjectKey key = manifests::KeyOf(service);
    if (auto claim = claims_.find(address); claim != claims_.end()) {
      if (claim->second == key) return nullptr;
      for (const Object& other : others) {
        if (manifests::KeyOf(other) == claim->second) return &other;
      }
    }
    const Object* oldest = nullptr;
    for (const Object& other : others) {
      if (oldest == nullptr || Seniority(other) < Seniority(*oldest)) oldest = &other;
    }
    return Seniority(*oldest) < Seniority(service) ? oldest : nullptr;
  }

  Status Allocate(const Object& service, const std::map<std::uint32_t, std::vector<Object>>& taken) {
    std::set<std::uint32_t> used = reserved_;
    for (const auto& [ip, unused] : taken) used.insert(ip);
    auto ip = PickFreeServiceIp(cidr_, used);
    if (!ip.ok()) {
      Warn(service, "ClusterIPNotAllocated", ip.status().message());
      return ip.status();
    }
    Object updated = service;  // keeps resourceVersion: the precondition
    std::string text = FormatIpv4Address(*ip);
    Object& spec = updated["spec"];
    spec["clusterIP"] = text;
    spec["clusterIPs"] = Object::array({text});
    spec["ipFamilies"] = Object::array({"IPv4"});
    spec["ipFamilyPolicy"] = "SingleStack";
    auto written = store_->Update(updated);
    if (!written.ok()) return written.status();  // a conflict retries on the newer object
    claims_[*ip] = manifests::KeyOf(service);
    return Status::Ok();
  }

  Status Reconcile(const ObjectKey& key) {
    auto record = store_->Get(key);
    if (!record.ok()) {
      if (record.status().code() != StatusCode::kNotFound) return record.status();
      warned_.erase(key);
      return Status::Ok();
    }
    const Object& service = record->object;
    if (Str(service, "spec.type") == "ExternalName") return Status::Ok();
    const std::string cluster_ip = Str(service, "spec.clusterIP");
    if (cluster_ip == "None") return Status::Ok();

    // The addresses other Services hold, from a fresh list: it includes every allocation this
    // worker made before, so it never hands out one address twice.
    store::ListOptions list_options;
    list_options.kind = "Service";
    MOOR_ASSIGN_OR_RETURN(store::ListResult services, store_->List(list_options));
    std::map<std::uint32_t, std::vector<Object>> taken;
    for (const store::Record& other : services.items) {
      if (manifests::KeyOf(other.object) == key) continue;
      auto address = ParseIpv4Address(Str(other.object, "spec.clusterIP"));
      if (address.ok()) taken[*address].push_back(other.object);
    }

    if (cluster_ip.empty()) return Allocate(service, taken);

    auto address = ParseIpv4Address(cluster_ip);
    if (!address.ok() || !IsUsableServiceIp(cidr_, *address)) {
      Warn(service, "ClusterIPOutOfRange",
           "Cluster IP " + cluster_ip + " is not a usable address of the service CIDR " + cidr_.ToString() +
               "; the Service keeps it but the service proxy may not route it: remove spec.clusterIP to get one "
               "allocated, or pick one inside " + cidr_.ToString());
      return Status::Ok();
    }
    if (auto others = taken.find(*address); others != taken.end()) {
      if (const Object* holder = Holder(*address, service, others->second)) {
        Warn(service, "ClusterIPAlreadyAllocated",
             "Cluster IP " + cluster_ip + " is already used by Service " + manifests::NamespaceOf(*holder) + "/" +
                 manifests::NameOf(*holder) +
                 "; traffic to it goes to that Service: remove spec.clusterIP to get a free one allocated, or pick "
                 "another");
        return Status::Ok();
      }
    }
    claims_[*address] = key;
    warned_.erase(key);
    const Object& ips = FieldAt(service, "spec.clusterIPs");
    if (ips.is_array() && !ips.empty()) return Status::Ok();
    // A user-given address without clusterIPs: fill it in, as kube-apiserver does.
    Object updated = service;
    updated["spec"]["clusterIPs"] = Object::array({cluster_ip});
    auto written = store_->Update(updated);
    return written.ok() ? Status::Ok() : written.status();
  }

  store::Store* store_;
  Ipv4Cidr cidr_;
  std::set<std::uint32_t> reserved_;
  std::map<ObjectKey, std::string> warned_;  // key -> "reason:address" last warned about
  std::map<std::uint32_t, ObjectKey> claims_;  // address -> the Service seen holding it first
  ControllerLoop loop_;  // last: stopped before the members its callbacks use go
};

}  // namespace

StatusOr<std::unique_ptr<ServiceIPAllocator>> ServiceIPAllocator::Start(ServiceIPAllocatorOptions options) {
  if (options.store == nullptr) return InvalidArgumentError("ClusterIP allocator: a store is required");
  auto cidr = Ipv4Cidr::Parse(options.service_cidr);
  if (!cidr.ok()) {
    return InvalidArgumentError("ClusterIP allocator: service CIDR \"" + options.service_cidr +
                                "\": " + cidr.status().message());
  }
  std::set<std::uint32_t> reserved;
  for (const std::string& text : options.reserved) {
    auto address = ParseIpv4Address(text);
    if (!address.ok()) {
      return InvalidArgumentError("ClusterIP allocator: reserved address \"" + text + "\": " + address.status().message());
    }
    reserved.insert(*address);
  }
  auto allocator = std::make_unique<ServiceIPAllocatorImpl>(options.store, *cidr, std::move(reserved));
  allocator->StartLoop();
  return std::unique_ptr<ServiceIPAllocator>(std::move(allocator));
}

}  // namespace moor::reconciler
