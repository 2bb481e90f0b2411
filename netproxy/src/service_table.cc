#include "moor/netproxy/service_table.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "moor/common/ipv4_cidr.h"

namespace moor::netproxy {

namespace {

using manifests::Object;
using manifests::StringAt;

int PortAt(const Object& obj, std::string_view key) {
  if (!obj.is_object()) return 0;
  auto it = obj.find(std::string(key));
  if (it == obj.end() || !it->is_number_integer()) return 0;
  auto value = it->get<std::int64_t>();
  return value >= 1 && value <= 65535 ? static_cast<int>(value) : 0;
}

const Object& ArrayAt(const Object& obj, std::string_view key) {
  static const Object kEmpty = Object::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(std::string(key));
  return it != obj.end() && it->is_array() ? *it : kEmpty;
}

// Host-order address of a dotted IPv4 string, or false.
bool ParseIpv4(const std::string& text, std::uint32_t* out) {
  auto address = ParseIpv4Address(text);
  if (!address.ok()) return false;
  *out = *address;
  return true;
}

// "TCP" (the default) -> "tcp"; "" for protocols the proxy does not handle.
std::string NftProtocol(const std::string& protocol) {
  if (protocol.empty() || protocol == "TCP") return "tcp";
  if (protocol == "UDP") return "udp";
  if (protocol == "SCTP") return "sctp";
  return "";
}

// Ready backends of one Service port from its Endpoints object.
std::vector<Backend> BackendsFor(const Object& endpoints, const std::string& port_name, const std::string& protocol) {
  std::vector<Backend> backends;
  for (const Object& subset : ArrayAt(endpoints, "subsets")) {
    int target = 0;
    for (const Object& port : ArrayAt(subset, "ports")) {
      if (StringAt(port, "name") == port_name && NftProtocol(StringAt(port, "protocol")) == protocol) {
        target = PortAt(port, "port");
        break;
      }
    }
    if (target == 0) continue;
    for (const Object& address : ArrayAt(subset, "addresses")) {
      std::string ip = StringAt(address, "ip");
      std::uint32_t parsed = 0;
      if (ParseIpv4(ip, &parsed)) backends.push_back({ip, target});
    }
  }
  std::sort(backends.begin(), backends.end(), [](const Backend& a, const Backend& b) {
    std::uint32_t x = 0, y = 0;
    ParseIpv4(a.ip, &x);
    ParseIpv4(b.ip, &y);
    return std::tie(x, a.port) < std::tie(y, b.port);
  });
  backends.erase(std::unique(backends.begin(), backends.end()), backends.end());
  return backends;
}

}  // namespace

ServiceTable BuildServiceTable(const std::vector<Object>& services, const std::vector<Object>& endpoints) {
  std::map<std::pair<std::string, std::string>, const Object*> endpoints_by_key;
  for (const Object& ep : endpoints) {
    endpoints_by_key[{manifests::NamespaceOf(ep), manifests::NameOf(ep)}] = &ep;
  }
  static const Object kNoEndpoints = Object::object();

  // Sorted by (address as a number, protocol, port); a second Service claiming the same
  // (ClusterIP, protocol, port) — which the allocator prevents — loses to the first by key.
  std::map<std::tuple<std::uint32_t, std::string, int>, ServicePort> entries;
  for (const Object& svc : services) {
    const Object& spec = manifests::FieldAt(svc, "spec");
    if (StringAt(spec, "type") == "ExternalName") continue;
    std::string cluster_ip = StringAt(spec, "clusterIP");
    std::uint32_t address = 0;
    if (!ParseIpv4(cluster_ip, &address)) continue;  // "", "None" (headless), IPv6
    std::string ns = manifests::NamespaceOf(svc);
    std::string name = manifests::NameOf(svc);
    const std::string type = StringAt(spec, "type");
    const bool node_ports = type == "NodePort" || type == "LoadBalancer";
    auto ep = endpoints_by_key.find({ns, name});
    const Object& ep_obj = ep == endpoints_by_key.end() ? kNoEndpoints : *ep->second;
    for (const Object& port : ArrayAt(spec, "ports")) {
      std::string protocol = NftProtocol(StringAt(port, "protocol"));
      int number = PortAt(port, "port");
      if (protocol.empty() || number == 0) continue;
      ServicePort entry;
      entry.cluster_ip = cluster_ip;
      entry.protocol = protocol;
      entry.port = number;
      entry.ns = ns;
      entry.name = name;
      entry.port_name = StringAt(port, "name");
      if (node_ports) entry.node_port = PortAt(port, "nodePort");
      entry.backends = BackendsFor(ep_obj, entry.port_name, protocol);
      auto key = std::make_tuple(address, protocol, number);
      auto existing = entries.find(key);
      if (existing == entries.end() ||
          std::tie(ns, name) < std::tie(existing->second.ns, existing->second.name)) {
        entries[key] = std::move(entry);
      }
    }
  }
  ServiceTable table;
  for (auto& [key, entry] : entries) table.ports.push_back(std::move(entry));
  return table;
}

}  // namespace moor::netproxy
