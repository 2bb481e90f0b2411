#include "moor/netproxy/dns/cluster_view.h"

#include "moor/common/ipv4_cidr.h"
#include "moor/netproxy/dns/dns_name.h"

namespace moor::netproxy::dns {
namespace {

using manifests::Object;
using manifests::StringAt;

std::vector<ServicePort> PortsOf(const Object& ports) {
  std::vector<ServicePort> out;
  if (!ports.is_array()) return out;
  for (const Object& p : ports) {
    if (!p.is_object()) continue;
    auto port = p.find("port");
    if (port == p.end() || !port->is_number_integer()) continue;
    int value = port->get<int>();
    if (value <= 0 || value > 65535) continue;
    std::string protocol = LowerAscii(StringAt(p, "protocol"));
    out.push_back(ServicePort{LowerAscii(StringAt(p, "name")), protocol.empty() ? "tcp" : protocol,
                              static_cast<std::uint16_t>(value)});
  }
  return out;
}

std::vector<EndpointSubset> SubsetsOf(const Object& endpoints) {
  std::vector<EndpointSubset> out;
  const Object& subsets = manifests::FieldAt(endpoints, "subsets");
  if (!subsets.is_array()) return out;
  for (const Object& s : subsets) {
    if (!s.is_object()) continue;
    EndpointSubset subset;
    auto addresses = s.find("addresses");
    if (addresses != s.end() && addresses->is_array()) {
      for (const Object& a : *addresses) {
        auto ip = ParseIpv4Address(StringAt(a, "ip"));
        if (!ip.ok()) continue;
        subset.addresses.push_back(EndpointAddress{*ip, LowerAscii(StringAt(a, "hostname"))});
      }
    }
    auto ports = s.find("ports");
    if (ports != s.end()) subset.ports = PortsOf(*ports);
    out.push_back(std::move(subset));
  }
  return out;
}

}  // namespace

ClusterView ClusterView::Build(const std::vector<Object>& services, const std::vector<Object>& endpoints) {
  std::map<std::pair<std::string, std::string>, const Object*> endpoints_by_key;
  for (const Object& ep : endpoints) {
    if (manifests::KindOf(ep) != "Endpoints") continue;
    endpoints_by_key[{LowerAscii(manifests::NamespaceOf(ep)), LowerAscii(manifests::NameOf(ep))}] = &ep;
  }
  ClusterView view;
  for (const Object& svc : services) {
    if (manifests::KindOf(svc) != "Service" || manifests::NameOf(svc).empty()) continue;
    ServiceEntry entry;
    entry.ns = LowerAscii(manifests::NamespaceOf(svc));
    if (entry.ns.empty()) entry.ns = "default";
    entry.name = LowerAscii(manifests::NameOf(svc));
    const Object& spec = manifests::FieldAt(svc, "spec");
    std::string type = StringAt(spec, "type");
    std::string cluster_ip = StringAt(spec, "clusterIP");
    if (type == "ExternalName") {
      entry.type = ServiceEntry::Type::kExternalName;
      entry.external_name = LowerAscii(StringAt(spec, "externalName"));
      while (!entry.external_name.empty() && entry.external_name.back() == '.') entry.external_name.pop_back();
    } else if (cluster_ip == "None") {
      entry.type = ServiceEntry::Type::kHeadless;
    } else {
      auto ip = ParseIpv4Address(cluster_ip);
      if (ip.ok()) entry.cluster_ip = *ip;
    }
    entry.ports = PortsOf(manifests::FieldAt(svc, "spec.ports"));
    auto ep = endpoints_by_key.find({entry.ns, entry.name});
    if (ep != endpoints_by_key.end()) entry.subsets = SubsetsOf(*ep->second);
    view.Add(std::move(entry));
  }
  return view;
}

std::string DashedIpv4(std::uint32_t ip) {
  std::string s = FormatIpv4Address(ip);
  for (char& c : s) {
    if (c == '.') c = '-';
  }
  return s;
}

std::string EndpointHost(const EndpointAddress& address) {
  return address.hostname.empty() ? DashedIpv4(address.ip) : address.hostname;
}

void ClusterView::Add(ServiceEntry entry) {
  namespaces_.insert(entry.ns);
  std::string service = entry.name + "." + entry.ns + ".svc";
  if (entry.type == ServiceEntry::Type::kClusterIp && entry.cluster_ip) reverse_.emplace(*entry.cluster_ip, service);
  if (entry.type == ServiceEntry::Type::kHeadless) {
    for (const EndpointSubset& s : entry.subsets) {
      for (const EndpointAddress& a : s.addresses) reverse_.emplace(a.ip, EndpointHost(a) + "." + service);
    }
  }
  auto key = std::make_pair(entry.ns, entry.name);
  services_[key] = std::move(entry);
}

const std::string* ClusterView::ReverseName(std::uint32_t ip) const {
  auto it = reverse_.find(ip);
  return it == reverse_.end() ? nullptr : &it->second;
}

const ServiceEntry* ClusterView::Find(const std::string& ns, const std::string& name) const {
  auto it = services_.find({ns, name});
  return it == services_.end() ? nullptr : &it->second;
}

}  // namespace moor::netproxy::dns
