#include "moor/reconciler/service_ip_allocator.h"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
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

// Without a claim seen live, who keeps an address two Services hold: the older one (then the
// smaller key), as the one created first would have kept it in Kubernetes.
auto Seniority(const Object& service) {
  return std::make_tuple(manifests::StringAt(service, "metadata.creationTimestamp"), manifests::NamespaceOf(service),
                         manifests::NameOf(service));
}

bool HasNodePorts(const Object& service) {
  std::string type = manifests::StringAt(service, "spec.type");
  return type == "NodePort" || type == "LoadBalancer";
}

// The node port of one spec.ports[] element, 0 if absent or not a number.
std::int64_t NodePortOf(const Object& port) {
  if (!port.is_object()) return 0;
  auto it = port.find("nodePort");
  return it != port.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

struct NodePortRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::string ToString() const { return std::to_string(first) + "-" + std::to_string(last); }
};

StatusOr<NodePortRange> ParseNodePortRange(const std::string& text) {
  NodePortRange range;
  std::size_t dash = text.find('-');
  try {
    std::size_t used = 0;
    if (dash == std::string::npos) throw std::invalid_argument("no dash");
    range.first = std::stoll(text.substr(0, dash), &used);
    if (used != dash) throw std::invalid_argument("trailing text");
    range.last = std::stoll(text.substr(dash + 1), &used);
    if (used != text.size() - dash - 1) throw std::invalid_argument("trailing text");
  } catch (const std::exception&) {
    return InvalidArgumentError("node port range \"" + text + "\" is not \"first-last\" (e.g. 30000-32767)");
  }
  if (range.first < 1 || range.last > 65535 || range.first > range.last) {
    return InvalidArgumentError("node port range \"" + text + "\" is not within 1-65535 with first <= last");
  }
  return range;
}

class ServiceIPAllocatorImpl final : public ServiceIPAllocator {
 public:
  ServiceIPAllocatorImpl(store::Store* store, Ipv4Cidr cidr, std::set<std::uint32_t> reserved, NodePortRange node_ports)
      : store_(store),
        cidr_(cidr),
        reserved_(std::move(reserved)),
        node_ports_(node_ports),
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
    std::string what = reason + ":" + manifests::StringAt(service, "spec.clusterIP");
    if (warned_[key] == what) return;  // once per address, not on every change of the Service
    if (RecordWarning(service, reason, message)) warned_[key] = what;
  }

  // Once per (reason, port) for as long as the Service exists.
  void WarnNodePort(const Object& service, const std::string& reason, std::int64_t port, const std::string& message) {
    std::string what = reason + ":" + std::to_string(port);
    std::set<std::string>& done = node_port_warned_[manifests::KeyOf(service)];
    if (done.count(what) == 0 && RecordWarning(service, reason, message)) done.insert(what);
  }

  bool RecordWarning(const Object& service, const std::string& reason, const std::string& message) {
    ObjectKey key = manifests::KeyOf(service);
    store::EventInput event;
    event.involved = key;
    event.involved_api_version = "v1";
    event.involved_uid = manifests::StringAt(service, "metadata.uid");
    event.type = "Warning";
    event.reason = reason;
    event.message = message;
    event.component = "moor-clusterip-allocator";
    return store_->RecordEvent(event).ok();
  }

  // Which Service keeps `address` when `service` and `others` all claim it: nullptr if
  // `service` does, else the one that does. The one this allocator saw holding it first wins
  // (it allocated it, or saw it given without a clash); without such a claim (after a restart)
  // the oldest Service does.
  template <typename Value>
  static const Object* Holder(const std::map<Value, ObjectKey>& claims, Value address, const Object& service,
                              const std::vector<Object>& others) {
    ObjectKey key = manifests::KeyOf(service);
    if (auto claim = claims.find(address); claim != claims.end()) {
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
      node_port_warned_.erase(key);
      return Status::Ok();
    }
    const Object& service = record->object;
    if (manifests::StringAt(service, "spec.type") == "ExternalName") return Status::Ok();
    const std::string cluster_ip = manifests::StringAt(service, "spec.clusterIP");
    if (cluster_ip == "None") return Status::Ok();

    // The addresses other Services hold, from a fresh list: it includes every allocation this
    // worker made before, so it never hands out one address twice.
    store::ListOptions list_options;
    list_options.kind = "Service";
    MOOR_ASSIGN_OR_RETURN(store::ListResult services, store_->List(list_options));
    std::map<std::uint32_t, std::vector<Object>> taken;
    for (const store::Record& other : services.items) {
      if (manifests::KeyOf(other.object) == key) continue;
      auto address = ParseIpv4Address(manifests::StringAt(other.object, "spec.clusterIP"));
      if (address.ok()) taken[*address].push_back(other.object);
    }

    if (cluster_ip.empty()) return Allocate(service, taken);

    auto address = ParseIpv4Address(cluster_ip);
    if (!address.ok() || !IsUsableServiceIp(cidr_, *address)) {
      Warn(service, "ClusterIPOutOfRange",
           "Cluster IP " + cluster_ip + " is not a usable address of the service CIDR " + cidr_.ToString() +
               "; the Service keeps it but the service proxy may not route it: remove spec.clusterIP to get one "
               "allocated, or pick one inside " + cidr_.ToString());
      return ReconcileNodePorts(service, services.items);
    }
    if (auto others = taken.find(*address); others != taken.end()) {
      if (const Object* holder = Holder(claims_, *address, service, others->second)) {
        Warn(service, "ClusterIPAlreadyAllocated",
             "Cluster IP " + cluster_ip + " is already used by Service " + manifests::NamespaceOf(*holder) + "/" +
                 manifests::NameOf(*holder) +
                 "; traffic to it goes to that Service: remove spec.clusterIP to get a free one allocated, or pick "
                 "another");
        return ReconcileNodePorts(service, services.items);
      }
    }
    claims_[*address] = key;
    warned_.erase(key);
    const Object& ips = FieldAt(service, "spec.clusterIPs");
    if (ips.is_array() && !ips.empty()) return ReconcileNodePorts(service, services.items);
    // A user-given address without clusterIPs: fill it in, as kube-apiserver does.
    Object updated = service;
    updated["spec"]["clusterIPs"] = Object::array({cluster_ip});
    auto written = store_->Update(updated);
    return written.ok() ? Status::Ok() : written.status();
  }

  // Node ports of a NodePort / LoadBalancer Service that has its ClusterIP (see the header).
  Status ReconcileNodePorts(const Object& service, const std::vector<store::Record>& services) {
    if (!HasNodePorts(service)) return Status::Ok();
    ObjectKey key = manifests::KeyOf(service);
    std::map<std::int64_t, std::vector<Object>> taken;  // node port -> the other Services holding it
    for (const store::Record& other : services) {
      if (manifests::KeyOf(other.object) == key || !HasNodePorts(other.object)) continue;
      const Object& ports = FieldAt(other.object, "spec.ports");
      if (!ports.is_array()) continue;
      std::set<std::int64_t> own;
      for (const Object& port : ports) {
        std::int64_t node_port = NodePortOf(port);
        if (node_port != 0 && own.insert(node_port).second) taken[node_port].push_back(other.object);
      }
    }
    const Object& ports = FieldAt(service, "spec.ports");
    if (!ports.is_array()) return Status::Ok();
    const std::string name = manifests::NamespaceOf(service) + "/" + manifests::NameOf(service);
    std::set<std::int64_t> mine;  // node ports this Service keeps
    bool missing = false;
    for (const Object& port : ports) {
      std::int64_t node_port = NodePortOf(port);
      if (node_port == 0) {
        missing = true;
        continue;
      }
      if (node_port < node_ports_.first || node_port > node_ports_.last) {
        WarnNodePort(service, "NodePortOutOfRange", node_port,
                     "Node port " + std::to_string(node_port) + " of Service " + name + " is outside the node port range " +
                         node_ports_.ToString() + ": remove nodePort to get one allocated, or pick one inside the range");
        continue;
      }
      const Object* holder = nullptr;
      if (auto others = taken.find(node_port); others != taken.end()) {
        holder = Holder(node_port_claims_, node_port, service, others->second);
      }
      if (holder != nullptr || mine.count(node_port) != 0) {
        std::string who = holder != nullptr ? "Service " + manifests::NamespaceOf(*holder) + "/" + manifests::NameOf(*holder)
                                            : "another port of this Service";
        WarnNodePort(service, "NodePortAlreadyAllocated", node_port,
                     "Node port " + std::to_string(node_port) + " is already used by " + who +
                         ": remove nodePort to get a free one allocated, or pick another");
        continue;
      }
      mine.insert(node_port);
      node_port_claims_[node_port] = key;
    }
    if (!missing) return Status::Ok();

    Object updated = service;  // keeps resourceVersion: the precondition
    std::vector<std::int64_t> given;
    std::int64_t next = node_ports_.first;
    for (Object& port : updated["spec"]["ports"]) {
      if (NodePortOf(port) != 0 || !port.is_object()) continue;
      while (next <= node_ports_.last && (taken.count(next) != 0 || mine.count(next) != 0)) ++next;
      if (next > node_ports_.last) {
        Status full = ResourceExhaustedError("no free node port left in the range " + node_ports_.ToString() +
                                             " for Service " + name + ": delete a NodePort Service or widen the range");
        WarnNodePort(service, "NodePortNotAllocated", 0, full.message());
        return full;
      }
      port["nodePort"] = next;
      given.push_back(next);
      mine.insert(next);
    }
    auto written = store_->Update(updated);
    if (!written.ok()) return written.status();  // a conflict retries on the newer object
    for (std::int64_t node_port : given) node_port_claims_[node_port] = key;
    return Status::Ok();
  }

  store::Store* store_;
  Ipv4Cidr cidr_;
  std::set<std::uint32_t> reserved_;
  NodePortRange node_ports_;
  std::map<ObjectKey, std::set<std::string>> node_port_warned_;  // key -> "reason:port" warned about
  std::map<std::int64_t, ObjectKey> node_port_claims_;  // node port -> the Service seen holding it first
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
  auto node_ports = ParseNodePortRange(options.node_port_range);
  if (!node_ports.ok()) return InvalidArgumentError("ClusterIP allocator: " + node_ports.status().message());
  auto allocator = std::make_unique<ServiceIPAllocatorImpl>(options.store, *cidr, std::move(reserved), *node_ports);
  allocator->StartLoop();
  return std::unique_ptr<ServiceIPAllocator>(std::move(allocator));
}

}  // namespace moor::reconciler
