#include "moor/reconciler/compute_endpoints.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "moor/manifests/selector.h"

namespace moor::reconciler {
namespace {

using manifests::FieldAt;
using manifests::Object;

std::string StrOf(const Object& obj, const char* key, const std::string& def = "") {
  if (!obj.is_object()) return def;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : def;
}

std::optional<std::int64_t> IntOf(const Object& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::string PodIp(const Object& pod) {
  std::string ip = manifests::StringAt(pod, "status.podIP");
  if (!ip.empty()) return ip;
  const Object& ips = FieldAt(pod, "status.podIPs");
  if (ips.is_array() && !ips.empty()) return StrOf(ips[0], "ip");
  return "";
}

bool IsReady(const Object& pod) {
  const Object& conditions = FieldAt(pod, "status.conditions");
  if (!conditions.is_array()) return false;
  for (const Object& c : conditions) {
    if (StrOf(c, "type") == "Ready") return StrOf(c, "status") == "True";
  }
  return false;
}

// Kubernetes' ShouldPodBeInEndpoints.
bool ShouldBeListed(const Object& pod, bool include_terminating) {
  std::string phase = manifests::StringAt(pod, "status.phase");
  if (phase == "Succeeded" || phase == "Failed") return false;
  if (PodIp(pod).empty()) return false;
  if (!include_terminating && !FieldAt(pod, "metadata.deletionTimestamp").is_null()) return false;
  return true;
}

// Kubernetes' podutil.FindPort: the container port a Service port's targetPort means on `pod`.
std::optional<std::int64_t> FindPort(const Object& pod, const Object& service_port) {
  auto it = service_port.find("targetPort");
  const bool absent = it == service_port.end() || it->is_null() ||
                      (it->is_number_integer() && it->get<std::int64_t>() == 0) ||
                      (it->is_string() && it->get<std::string>().empty());
  if (absent) return IntOf(service_port, "port");
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (!it->is_string()) return std::nullopt;
  const std::string name = it->get<std::string>();
  const std::string protocol = StrOf(service_port, "protocol", "TCP");
  const Object& containers = FieldAt(pod, "spec.containers");
  if (!containers.is_array()) return std::nullopt;
  for (const Object& container : containers) {
    if (!container.is_object() || !container.contains("ports") || !container["ports"].is_array()) continue;
    for (const Object& port : container["ports"]) {
      if (StrOf(port, "name") == name && StrOf(port, "protocol", "TCP") == protocol) return IntOf(port, "containerPort");
    }
  }
  return std::nullopt;
}

Object EndpointPort(const Object& service_port, std::int64_t port) {
  Object out = Object::object();
  std::string name = StrOf(service_port, "name");
  if (!name.empty()) out["name"] = name;
  out["port"] = port;
  out["protocol"] = StrOf(service_port, "protocol", "TCP");
  std::string app_protocol = StrOf(service_port, "appProtocol");
  if (!app_protocol.empty()) out["appProtocol"] = app_protocol;
  return out;
}

auto PortOrder(const Object& p) { return std::make_tuple(StrOf(p, "name"), IntOf(p, "port").value_or(0), StrOf(p, "protocol")); }

auto AddressOrder(const Object& a) { return std::make_tuple(StrOf(a, "ip"), manifests::StringAt(a, "targetRef.uid"), manifests::StringAt(a, "targetRef.name")); }

struct Subset {
  Object ports = Object::array();
  std::vector<Object> ready;
  std::vector<Object> not_ready;
};

Object LabelsOrEmpty(const Object& obj) {
  const Object& labels = FieldAt(obj, "metadata.labels");
  return labels.is_object() ? labels : Object::object();
}

Object SubsetsOrEmpty(const Object& obj) {
  auto it = obj.is_object() ? obj.find("subsets") : obj.end();
  if (!obj.is_object() || it == obj.end() || it->is_null()) return Object::array();
  return *it;
}

}  // namespace

std::map<std::string, std::string> ServiceSelector(const Object& service) {
  std::map<std::string, std::string> out;
  const Object& selector = FieldAt(service, "spec.selector");
  if (!selector.is_object()) return out;
  for (auto it = selector.begin(); it != selector.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

Object ComputeEndpoints(const Object& service, const std::vector<Object>& pods) {
  const std::string ns = manifests::NamespaceOf(service);
  const bool headless = manifests::StringAt(service, "spec.clusterIP") == "None";
  const Object& publish = FieldAt(service, "spec.publishNotReadyAddresses");
  const bool publish_not_ready = publish.is_boolean() && publish.get<bool>();
  const Object& ports_field = FieldAt(service, "spec.ports");
  const Object service_ports = ports_field.is_array() ? ports_field : Object::array();

  Object selector_object = Object::object();
  selector_object["matchLabels"] = ServiceSelector(service);
  auto selector = manifests::LabelSelector::FromObject(selector_object);

  // Subsets keyed by the canonical text of their sorted port list.
  std::map<std::string, Subset> subsets;
  if (selector.ok()) {
    for (const Object& pod : pods) {
      if (manifests::NamespaceOf(pod) != ns || !selector->Matches(manifests::LabelsOf(pod))) continue;
      if (!ShouldBeListed(pod, publish_not_ready)) continue;
      Object ports = Object::array();
      for (const Object& service_port : service_ports) {
        if (!service_port.is_object()) continue;
        if (auto port = FindPort(pod, service_port)) ports.push_back(EndpointPort(service_port, *port));
      }
      if (ports.empty() && !(headless && service_ports.empty())) continue;
      std::sort(ports.begin(), ports.end(), [](const Object& a, const Object& b) { return PortOrder(a) < PortOrder(b); });

      Object address = Object::object();
      address["ip"] = PodIp(pod);
      std::string node = manifests::StringAt(pod, "spec.nodeName");
      if (!node.empty()) address["nodeName"] = node;
      Object target = Object::object();
      target["kind"] = "Pod";
      target["namespace"] = ns;
      target["name"] = manifests::NameOf(pod);
      std::string uid = manifests::StringAt(pod, "metadata.uid");
      if (!uid.empty()) target["uid"] = uid;
      address["targetRef"] = std::move(target);

      Subset& subset = subsets[ports.dump()];
      subset.ports = ports;
      (publish_not_ready || IsReady(pod) ? subset.ready : subset.not_ready).push_back(std::move(address));
    }
  }

  Object endpoints = Object::object();
  endpoints["apiVersion"] = "v1";
  endpoints["kind"] = "Endpoints";
  Object& meta = endpoints["metadata"];
  meta["name"] = manifests::NameOf(service);
  meta["namespace"] = ns;
  Object labels = LabelsOrEmpty(service);
  if (headless) {
    labels[kHeadlessServiceLabel] = "";
  } else {
    labels.erase(kHeadlessServiceLabel);
  }
  labels[kEndpointsManagedByLabel] = kEndpointsManagedByValue;
  meta["labels"] = std::move(labels);

  if (!subsets.empty()) {
    Object out = Object::array();
    auto by_address = [](const Object& a, const Object& b) { return AddressOrder(a) < AddressOrder(b); };
    for (auto& [key, subset] : subsets) {
      Object s = Object::object();
      std::sort(subset.ready.begin(), subset.ready.end(), by_address);
      std::sort(subset.not_ready.begin(), subset.not_ready.end(), by_address);
      if (!subset.ready.empty()) s["addresses"] = subset.ready;
      if (!subset.not_ready.empty()) s["notReadyAddresses"] = subset.not_ready;
      if (!subset.ports.empty()) s["ports"] = subset.ports;
      out.push_back(std::move(s));
    }
    endpoints["subsets"] = std::move(out);
  }
  return endpoints;
}

bool IsManagedEndpoints(const Object& endpoints) {
  // Not FieldAt: the label key has dots of its own.
  return StrOf(LabelsOrEmpty(endpoints), kEndpointsManagedByLabel) == kEndpointsManagedByValue;
}

bool SameEndpointsContent(const Object& a, const Object& b) {
  return LabelsOrEmpty(a) == LabelsOrEmpty(b) && SubsetsOrEmpty(a) == SubsetsOrEmpty(b);
}

}  // namespace moor::reconciler
