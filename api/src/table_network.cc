// Table printers for Service and Ingress.
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
  AddIngress(printers);
}

}  // namespace moor::api
