#include "moor/runtime/cni/config.h"

#include <cctype>

#include "moor/common/ipv4_cidr.h"

namespace moor::runtime::cni {

namespace {

bool AllOf(const std::string& s, bool (*ok)(char)) {
  for (char c : s) {
    if (!ok(c)) return false;
  }
  return true;
}

bool IsPrefixChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }

StatusOr<Ipv4Cidr> ParseField(const char* field, const std::string& value) {
  auto cidr = Ipv4Cidr::Parse(value);
  if (!cidr.ok()) return cidr.status().WithContext(std::string("CNI network option ") + field);
  return cidr;
}

Status CheckAbsolute(const char* field, const std::string& value) {
  if (value.empty() || value.front() != '/') {
    return InvalidArgumentError(std::string("CNI network option ") + field + " must be an absolute path, got \"" +
                                value + "\"");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateOptions(const CniNetworkOptions& o) {
  if (o.name_prefix.empty() || o.name_prefix.size() > 20 || !AllOf(o.name_prefix, IsPrefixChar) ||
      o.name_prefix.front() == '-') {
    return InvalidArgumentError("CNI network option name_prefix \"" + o.name_prefix +
                                "\" must be 1 to 20 characters of a-z, 0-9 and '-', not starting with '-'");
  }
  if (o.bridge.empty() || o.bridge.size() > 15 || !AllOf(o.bridge, IsNameChar)) {
    return InvalidArgumentError("CNI network option bridge \"" + o.bridge +
                                "\" must be 1 to 15 characters of A-Z, a-z, 0-9, '_', '.', '-' (a Linux interface name)");
  }
  MOOR_ASSIGN_OR_RETURN(Ipv4Cidr cluster, ParseField("cluster_cidr", o.cluster_cidr));
  MOOR_ASSIGN_OR_RETURN(Ipv4Cidr service, ParseField("service_cidr", o.service_cidr));
  MOOR_ASSIGN_OR_RETURN(Ipv4Cidr pods, ParseField("pod_subnet", o.pod_subnet));
  if (!cluster.Contains(pods)) {
    return InvalidArgumentError("CNI network option pod_subnet " + o.pod_subnet + " is not inside cluster_cidr " +
                                o.cluster_cidr);
  }
  if (pods.prefix_len > 30) {
    return InvalidArgumentError("CNI network option pod_subnet " + o.pod_subnet +
                                " is too small: it needs room for the bridge gateway and pods (at most /30)");
  }
  if (cluster.Overlaps(service)) {
    return InvalidArgumentError("CNI network options cluster_cidr " + o.cluster_cidr + " and service_cidr " +
                                o.service_cidr + " overlap");
  }
  MOOR_RETURN_IF_ERROR(CheckAbsolute("state_dir", o.state_dir));
  MOOR_RETURN_IF_ERROR(CheckAbsolute("cni_bin_dir", o.cni_bin_dir));
  MOOR_RETURN_IF_ERROR(CheckAbsolute("netns_dir", o.netns_dir));
  if (o.mtu < 576 || o.mtu > 65535) {
    return InvalidArgumentError("CNI network option mtu " + std::to_string(o.mtu) + " is outside 576..65535");
  }
  if (o.route_metric < 0) {
    return InvalidArgumentError("CNI network option route_metric must not be negative");
  }
  return Status::Ok();
}

bool IsValidSandboxId(const std::string& id) {
  return !id.empty() && id.size() <= 64 && AllOf(id, IsNameChar) && id.front() != '.' && id.front() != '-';
}

std::string ConflistPath(const CniNetworkOptions& o) { return o.state_dir + "/" + o.name_prefix + ".conflist"; }

std::string IpamDataDir(const CniNetworkOptions& o) { return o.state_dir + "/ipam"; }

nlohmann::json BuildConflist(const CniNetworkOptions& o) {
  nlohmann::json bridge = {
      {"type", "bridge"},
      {"bridge", o.bridge},
      {"isGateway", true},
      {"ipMasq", false},
      {"hairpinMode", true},
      {"mtu", o.mtu},
      {"ipam",
       {
           {"type", "host-local"},
           {"ranges", nlohmann::json::array({nlohmann::json::array({{{"subnet", o.pod_subnet}}})})},
           {"dataDir", IpamDataDir(o)},
           {"routes", o.pod_egress ? nlohmann::json::array({{{"dst", "0.0.0.0/0"}}})
                                   : nlohmann::json::array({{{"dst", o.cluster_cidr}}, {{"dst", o.service_cidr}}})},
       }},
  };
  nlohmann::json portmap = {
      {"type", "portmap"},
      {"capabilities", {{"portMappings", true}}},
      {"snat", true},
  };
  return {
      {"cniVersion", kCniVersion},
      {"name", o.name_prefix},
      {"plugins", nlohmann::json::array({bridge, portmap})},
  };
}

StatusOr<std::vector<PortMapping>> NormalizePortMappings(const std::vector<PortMapping>& ports) {
  std::vector<PortMapping> out;
  for (PortMapping p : ports) {
    std::string name = std::to_string(p.host_port) + ":" + std::to_string(p.container_port) + "/" + p.protocol;
    for (char& c : p.protocol) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (p.protocol.empty()) p.protocol = "tcp";
    if (p.protocol != "tcp" && p.protocol != "udp" && p.protocol != "sctp") {
      return InvalidArgumentError("port mapping " + name + ": protocol must be TCP, UDP or SCTP");
    }
    if (p.host_port < 1 || p.host_port > 65535 || p.container_port < 1 || p.container_port > 65535) {
      return InvalidArgumentError("port mapping " + name + ": ports must be in 1..65535");
    }
    if (!p.host_ip.empty() && !ParseIpv4Address(p.host_ip).ok()) {
      return InvalidArgumentError("port mapping " + name + ": hostIP \"" + p.host_ip + "\" is not an IPv4 address");
    }
    for (const PortMapping& q : out) {
      if (q.host_port == p.host_port && q.protocol == p.protocol && q.host_ip == p.host_ip) {
        return InvalidArgumentError("port mapping " + name + ": host port " + std::to_string(p.host_port) + "/" +
                                    p.protocol + " is mapped twice");
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

nlohmann::json PortMappingsJson(const std::vector<PortMapping>& ports) {
  nlohmann::json out = nlohmann::json::array();
  for (const PortMapping& p : ports) {
    nlohmann::json m = {{"hostPort", p.host_port}, {"containerPort", p.container_port}, {"protocol", p.protocol}};
    if (!p.host_ip.empty()) m["hostIP"] = p.host_ip;
    out.push_back(std::move(m));
  }
  return out;
}

StatusOr<std::vector<PortMapping>> PortMappingsFromJson(const nlohmann::json& json) {
  if (!json.is_array()) return InvalidArgumentError("portMappings is not an array");
  std::vector<PortMapping> ports;
  for (const auto& m : json) {
    if (!m.is_object() || !m.contains("hostPort") || !m["hostPort"].is_number_integer() ||
        !m.contains("containerPort") || !m["containerPort"].is_number_integer()) {
      return InvalidArgumentError("portMappings entry " + m.dump() + " lacks integer hostPort / containerPort");
    }
    PortMapping p;
    p.host_port = m["hostPort"].get<int>();
    p.container_port = m["containerPort"].get<int>();
    p.protocol = m.value("protocol", std::string("tcp"));
    p.host_ip = m.value("hostIP", std::string());
    ports.push_back(std::move(p));
  }
  return ports;
}

StatusOr<nlohmann::json> PluginInput(const nlohmann::json& conflist, std::size_t index,
                                     const nlohmann::json& prev_result, const std::vector<PortMapping>& ports) {
  if (!conflist.is_object() || !conflist.contains("plugins") || !conflist["plugins"].is_array() ||
      !conflist.contains("name") || !conflist["name"].is_string()) {
    return InvalidArgumentError("CNI conflist needs a string \"name\" and a \"plugins\" array");
  }
  const nlohmann::json& plugins = conflist["plugins"];
  if (index >= plugins.size() || !plugins[index].is_object() || !plugins[index].contains("type") ||
      !plugins[index]["type"].is_string()) {
    return InvalidArgumentError("CNI conflist \"" + conflist["name"].get<std::string>() + "\" has no plugin #" +
                                std::to_string(index) + " with a \"type\"");
  }
  nlohmann::json input = plugins[index];
  input["name"] = conflist["name"];
  input["cniVersion"] = conflist.value("cniVersion", std::string(kCniVersion));
  if (!prev_result.is_null()) input["prevResult"] = prev_result;
  input.erase("runtimeConfig");
  const auto caps = input.find("capabilities");
  if (caps != input.end() && caps->is_object() && caps->value("portMappings", false)) {
    input["runtimeConfig"] = {{"portMappings", PortMappingsJson(ports)}};
  }
  return input;
}

std::map<std::string, std::string> PluginEnvironment(const std::string& command, const std::string& container_id,
                                                     const std::string& netns, const std::string& ifname,
                                                     const std::string& cni_bin_dir) {
  return {
      {"CNI_COMMAND", command}, {"CNI_CONTAINERID", container_id}, {"CNI_NETNS", netns},
      {"CNI_IFNAME", ifname},   {"CNI_PATH", cni_bin_dir},         {"CNI_ARGS", ""},
  };
}

}  // namespace moor::runtime::cni
