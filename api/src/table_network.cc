// Table printers for Service, Endpoints and Ingress.
#include <string>
#include <vector>

#include "table_printers.h"

namespace moor::api {
namespace {

using nlohmann::json;
using namespace table;  // NOLINT(build/namespaces)

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::vector<std::string> Strings(const json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& v : array) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::vector<std::string> LoadBalancerAddresses(const Object& obj) {
  std::vector<std::string> out;
  const json& ingress = At(obj, "status.loadBalancer.ingress");
  if (!ingress.is_array()) return out;
  for (const auto& i : ingress) {
    if (!i.is_object()) continue;
    if (i.contains("ip") && i["ip"].is_string()) {
      out.push_back(i["ip"].get<std::string>());
    } else if (i.contains("hostname") && i["hostname"].is_string()) {
      out.push_back(i["hostname"].get<std::string>());
    }
  }
  return out;
}

std::string ServiceExternalIp(const Object& svc) {
  std::string type = Str(svc, "spec.type");
  if (type.empty()) type = "ClusterIP";
  std::vector<std::string> external = Strings(At(svc, "spec.externalIPs"));
  if (type == "ClusterIP" || type == "NodePort") return external.empty() ? "<none>" : Join(external, ",");
  if (type == "LoadBalancer") {
    std::vector<std::string> ips = LoadBalancerAddresses(svc);
    ips.insert(ips.end(), external.begin(), external.end());
    return ips.empty() ? "<pending>" : Join(ips, ",");
  }
  if (type == "ExternalName") return Str(svc, "spec.externalName");
  return "<unknown>";
}

std::string ServicePorts(const Object& svc) {
  const json& ports = At(svc, "spec.ports");
  if (!ports.is_array() || ports.empty()) return "<none>";
  std::vector<std::string> parts;
  for (const auto& p : ports) {
    if (!p.is_object()) continue;
    std::string protocol = p.value("protocol", "TCP");
    std::string port = std::to_string(p.value("port", 0));
    if (p.contains("nodePort") && p["nodePort"].is_number_integer() && p["nodePort"].get<int>() != 0) {
      parts.push_back(port + ":" + std::to_string(p["nodePort"].get<int>()) + "/" + protocol);
    } else {
      parts.push_back(port + "/" + protocol);
    }
  }
  return Join(parts, ",");
}

void AddService(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Type", "string", "type determines how the Service is exposed."),
               Column("Cluster-IP", "string", "clusterIP is the IP address of the service."),
               Column("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the "
                                               "cluster will also accept traffic for this service."),
               Column("Port(s)", "string", "The list of ports that are exposed by this service."),
               AgeColumn(),
               Column("Selector", "string", "Route service traffic to pods with label keys and values matching "
                                            "this selector.", 1)};
  p.cells = [](const Object& svc, WallTime now) {
    std::string type = Str(svc, "spec.type");
    std::string cluster_ip = Str(svc, "spec.clusterIP");
    return std::vector<json>{Str(svc, "metadata.name"),
                             type.empty() ? "ClusterIP" : type,
                             cluster_ip.empty() ? "<none>" : cluster_ip,
                             ServiceExternalIp(svc),
                             ServicePorts(svc),
                             Age(svc, now),
                             MapSelectorString(At(svc, "spec.selector"))};
  };
  printers["Service"] = std::move(p);
}

// kubectl's formatEndpoints: "ip:port" for each ready address and port (a bare ip for a subset
// without ports), the first three only, then " + N more..."; "<none>" when there is none.
std::string EndpointsList(const Object& endpoints) {
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  size_t count = 0;
  bool more = false;
  const json& subsets = At(endpoints, "subsets");
  if (!subsets.is_array()) return "<none>";
  auto add = [&](const json& addresses, const std::string& port_suffix) {
    if (!addresses.is_array()) return;
    count += addresses.size();
    for (const auto& a : addresses) {
      if (list.size() == kMax) {
        more = true;
        break;
      }
      const json ip = a.is_object() ? a.value("ip", json("")) : json("");
      list.push_back((ip.is_string() ? ip.get<std::string>() : std::string()) + port_suffix);
    }
  };
  for (const auto& ss : subsets) {
    if (!ss.is_object()) continue;
    const json addresses = ss.value("addresses", json::array());
    const json ports = ss.value("ports", json::array());
    if (!ports.is_array() || ports.empty()) {
      add(addresses, "");  // a headless Service may have no ports
      continue;
    }
    for (const auto& p : ports) {
      const json& port = p.is_object() ? p.value("port", json(0)) : json(0);
      add(addresses, ":" + (port.is_number_integer() ? std::to_string(port.get<int64_t>()) : std::string("0")));
    }
  }
  std::string out = Join(list, ",");
  if (more) return out + " + " + std::to_string(count - kMax) + " more...";
  return out.empty() ? "<none>" : out;
}

void AddEndpoints(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Endpoints", "string",
                      "The set of all endpoints is the union of all subsets. Addresses are placed into subsets "
                      "according to the IPs they share. A single address with multiple ports, some of which are "
                      "ready and some of which are not (because they come from different containers) will result "
                      "in the address being displayed in different subsets for the different ports. No address "
                      "will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses "
                      "and ports that comprise a service."),
               AgeColumn()};
  p.cells = [](const Object& ep, WallTime now) {
    return std::vector<json>{Str(ep, "metadata.name"), EndpointsList(ep), Age(ep, now)};
  };
  printers["Endpoints"] = std::move(p);
}

void AddIngress(PrinterMap& printers) {
  KindPrinter p;
  p.columns = {NameColumn(),
               Column("Class", "string", "The name of the IngressClass resource that should be used."),
               Column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress "
                                         "rule"),
               Column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
               Column("Ports", "string", "Ports of TLS configurations that open"),
               AgeColumn()};
  p.cells = [](const Object& ing, WallTime now) {
    std::vector<std::string> hosts;
    const json& rules = At(ing, "spec.rules");
    if (rules.is_array()) {
      for (const auto& r : rules) {
        if (r.is_object() && r.contains("host") && r["host"].is_string() && !r["host"].get<std::string>().empty()) {
          hosts.push_back(r["host"].get<std::string>());
        }
      }
    }
    std::string host_text = hosts.empty() ? "*" : Join(hosts, ",");
    if (hosts.size() > 3) {
      host_text = Join(std::vector<std::string>(hosts.begin(), hosts.begin() + 3), ",") + " + " +
                  std::to_string(hosts.size() - 3) + " more...";
    }
    std::string cls = Str(ing, "spec.ingressClassName");
    return std::vector<json>{Str(ing, "metadata.name"),
                             cls.empty() ? "<none>" : cls,
                             host_text,
                             Join(LoadBalancerAddresses(ing), ","),
                             Size(ing, "spec.tls") > 0 ? "80, 443" : "80",
                             Age(ing, now)};
  };
  printers["Ingress"] = std::move(p);
}

}  // namespace

void AddNetworkPrinters(PrinterMap& printers) {
  AddService(printers);
  AddEndpoints(printers);
  AddIngress(printers);
}

}  // namespace moor::api
