#include "server_config.h"

#include <cctype>
#include <cstdio>
#include <string>

#include "moor/common/ipv4_cidr.h"
#include "moor/manifests/parse.h"

namespace moor::cli {

std::string ServerConfig::ServiceAddress(std::uint32_t n) const {
  auto cidr = Ipv4Cidr::Parse(service_cidr);
  return cidr.ok() ? FormatIpv4Address(cidr->network + n) : "";
}

StatusOr<std::chrono::seconds> ParseDuration(const std::string& text) {
  if (text.empty()) return InvalidArgumentError("empty duration");
  std::size_t pos = 0;
  long long total = 0;
  while (pos < text.size()) {
    std::size_t digits = pos;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == pos) return InvalidArgumentError("invalid duration \"" + text + "\"");
    long long n = std::stoll(text.substr(pos, digits - pos));
    char unit = digits < text.size() ? text[digits] : 's';
    long long mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : -1;
    if (mult < 0) return InvalidArgumentError("invalid duration unit in \"" + text + "\" (use s, m, h, d)");
    total += n * mult;
    pos = digits < text.size() ? digits + 1 : digits;
  }
  return std::chrono::seconds(total);
}

Status LoadServerConfig(const std::filesystem::path& file, ServerConfig& config) {
  manifests::ParsedFile parsed = manifests::ParseFile(file, file.string());
  if (!parsed.ok()) {
    std::string msg;
    for (const auto& d : parsed.diagnostics) msg += (msg.empty() ? "" : "\n") + d.ToString();
    return InvalidArgumentError(msg);
  }
  if (parsed.documents.empty()) return Status::Ok();  // an empty (all comments) file keeps the defaults
  if (parsed.documents.size() > 1) return InvalidArgumentError(file.string() + ": expected one YAML document");
  const manifests::Document& doc = parsed.documents.front();
  auto fail = [&](const std::string& key, const std::string& message) {
    manifests::SourcePos p = doc.positions.Find(key);
    return InvalidArgumentError(file.string() + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
                                key + ": " + message);
  };
  for (auto it = doc.object.begin(); it != doc.object.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    if (v.is_null()) continue;  // "key:" with no value keeps the default
    auto want_string = [&]() -> StatusOr<std::string> {
      if (!v.is_string()) return fail(key, "expected string, got " + std::string(v.type_name()));
      return v.get<std::string>();
    };
    if (key == "dataDir") {
      MOOR_ASSIGN_OR_RETURN(std::string s, want_string());
      config.data_dir = s;
    } else if (key == "manifests") {
      MOOR_ASSIGN_OR_RETURN(std::string s, want_string());
      config.manifests = s;
    } else if (key == "listen") {
      MOOR_ASSIGN_OR_RETURN(config.listen, want_string());
    } else if (key == "logLevel") {
      MOOR_ASSIGN_OR_RETURN(config.log_level, want_string());
    } else if (key == "strict") {
      if (!v.is_boolean()) return fail(key, "expected boolean");
      config.strict = v.get<bool>();
    } else if (key == "resyncInterval") {
      std::string text = v.is_number_integer() ? std::to_string(v.get<long long>()) : (v.is_string() ? v.get<std::string>() : "");
      auto d = ParseDuration(text);
      if (!d.ok()) return fail(key, d.status().message());
      config.resync_interval = *d;
    } else if (key == "disableAgent") {
      if (!v.is_boolean()) return fail(key, "expected boolean");
      config.disable_agent = v.get<bool>();
    } else if (key == "nodeName") {
      MOOR_ASSIGN_OR_RETURN(config.node_name, want_string());
    } else if (key == "podSubnet") {
      MOOR_ASSIGN_OR_RETURN(config.pod_subnet, want_string());
    } else if (key == "podEgress") {
      if (!v.is_boolean()) return fail(key, "expected boolean");
      config.pod_egress = v.get<bool>();
    } else if (key == "podForwardAccept") {
      if (!v.is_boolean()) return fail(key, "expected boolean");
      config.pod_forward_accept = v.get<bool>();
    } else if (key == "serviceCIDR") {
      MOOR_ASSIGN_OR_RETURN(config.service_cidr, want_string());
      auto cidr = Ipv4Cidr::Parse(config.service_cidr);
      if (!cidr.ok()) return fail(key, cidr.status().message());
      if (cidr->prefix_len > 28) return fail(key, "the service range needs at least 16 addresses (a /28 or wider)");
    } else if (key == "serviceNodePortRange") {
      MOOR_ASSIGN_OR_RETURN(config.service_node_port_range, want_string());
      int first = 0, last = 0;
      char dash = 0, extra = 0;
      if (std::sscanf(config.service_node_port_range.c_str(), "%d%c%d%c", &first, &dash, &last, &extra) != 3 ||
          dash != '-' || first < 1 || last > 65535 || first > last) {
        return fail(key, "expected \"FIRST-LAST\" within 1-65535, e.g. \"30000-32767\"");
      }
    } else if (key == "dnsUpstreams") {
      if (!v.is_array()) return fail(key, "expected a list of \"ip\" or \"ip:port\" (or [] to forward nothing)");
      std::vector<std::string> upstreams;
      for (const auto& u : v) {
        if (!u.is_string()) return fail(key, "expected a list of \"ip\" or \"ip:port\" strings");
        upstreams.push_back(u.get<std::string>());
      }
      config.dns_upstreams = std::move(upstreams);
    } else if (key == "bridge") {
      MOOR_ASSIGN_OR_RETURN(config.bridge, want_string());
      if (config.bridge.empty() || config.bridge.size() > 15) return fail(key, "a bridge name has 1 to 15 characters");
    } else if (key == "namePrefix") {
      MOOR_ASSIGN_OR_RETURN(config.name_prefix, want_string());
    } else if (key == "routeMetric") {
      if (!v.is_number_integer() || v.get<long long>() < 0) return fail(key, "expected a non-negative integer");
      config.route_metric = v.get<int>();
    } else if (key == "disableDefaultRegistryEndpoint") {
      if (!v.is_boolean()) return fail(key, "expected boolean");
      config.disable_default_registry_endpoint = v.get<bool>();
    } else if (key == "registries") {
      if (!v.is_object()) return fail(key, "expected a map with mirrors and configs");
      config.registries = v;
    } else {
      return fail(key,
                  "unknown setting (known: dataDir, manifests, listen, logLevel, strict, resyncInterval, disableAgent, "
                  "nodeName, podSubnet, podEgress, podForwardAccept, serviceCIDR, serviceNodePortRange, dnsUpstreams, bridge, namePrefix, routeMetric, registries, disableDefaultRegistryEndpoint)");
    }
  }
  return Status::Ok();
}

}  // namespace moor::cli
