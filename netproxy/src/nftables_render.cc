#include "moor/netproxy/nftables_render.h"

#include <cctype>
#include <cstdio>
#include <set>
#include <sstream>

#include "moor/common/nft.h"

namespace moor::netproxy {

namespace {

constexpr std::size_t kReadableCap = 40;  // the readable part of a chain name

std::string Hex8(std::uint32_t value) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", value);
  return buf;
}

std::string MarkHex(std::uint32_t mark) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", mark);
  return buf;
}

// FNV-1a: stable across runs and builds (std::hash is not).
std::uint32_t Fnv1a(const std::string& text) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

// Lower-case letters, digits and '-'; anything else becomes '-'; capped at `cap`.
std::string Sanitise(const std::string& text, std::size_t cap) {
  std::string out;
  for (char c : text) {
    if (out.size() >= cap) break;
    unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  return out;
}

std::string Dashed(const std::string& ip) {
  std::string out = ip;
  for (char& c : out) {
    if (c == '.') c = '-';
  }
  return out;
}

// Chain names for one table, unique within it.
class ChainNamer {
 public:
  std::string Service(const ServicePort& p) {
    return Unique("svc-" + Readable(p) + "-" + Hex8(Fnv1a(Identity(p))));
  }
  std::string Endpoint(const ServicePort& p, const Backend& b) {
    std::string backend = b.ip + ":" + std::to_string(b.port);
    return Unique("ep-" + Readable(p) + "-" + Dashed(b.ip) + "-" + std::to_string(b.port) + "-" +
                  Hex8(Fnv1a(Identity(p) + "/" + backend)));
  }

 private:
  static std::string Identity(const ServicePort& p) {
    return p.ns + "/" + p.name + "/" + p.protocol + "/" + std::to_string(p.port);
  }
  static std::string Readable(const ServicePort& p) {
    std::string port = p.port_name.empty() ? std::to_string(p.port) : p.port_name;
    return Sanitise(p.ns + "-" + p.name + "-" + port + "-" + p.protocol, kReadableCap);
  }
  std::string Unique(const std::string& base) {
    std::string name = base;
    for (int n = 2; !used_.insert(name).second; ++n) name = base + "-" + std::to_string(n);
    return name;
  }
  std::set<std::string> used_;
};

constexpr const char* kServiceKey = "ipv4_addr . inet_proto . inet_service : verdict";
constexpr const char* kNodePortKey = "inet_proto . inet_service : verdict";

// A verdict map of `type` (kServiceKey, kNodePortKey), or (`set` true) a plain set of `type`.
void WriteMap(std::ostringstream& out, const std::string& name, const std::vector<std::string>& elements,
              const std::string& type = kServiceKey, bool set = false) {
  out << "\t" << (set ? "set " : "map ") << name << " {\n"
      << "\t\ttype " << type << "\n";
  if (!elements.empty()) {
    out << "\t\telements = {";
    for (std::size_t i = 0; i < elements.size(); ++i) {
      out << (i == 0 ? " " : ",\n\t\t\t     ") << elements[i];
    }
    out << " }\n";
  }
  out << "\t}\n";
}

void WriteBaseChain(std::ostringstream& out, const std::string& name, const std::string& hook,
                    const std::vector<std::string>& rules) {
  out << "\tchain " << name << " {\n\t\t" << hook << "; policy accept;\n";
  for (const std::string& rule : rules) out << "\t\t" << rule << "\n";
  out << "\t}\n";
}

std::string Key(const ServicePort& p) {
  return p.cluster_ip + " . " + p.protocol + " . " + std::to_string(p.port);
}

}  // namespace

Status ValidateNftablesOptions(const NftablesOptions& options) {
  const std::string& t = options.table;
  bool ok = !t.empty() && t.size() <= 64 && std::isalpha(static_cast<unsigned char>(t[0]));
  for (char c : t) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok) {
    return InvalidArgumentError("nftables table name \"" + t +
                                "\" is not a letter followed by up to 63 letters, digits, '_' or '-'");
  }
  std::uint32_t m = options.masquerade_mark;
  if (m == 0 || (m & (m - 1)) != 0) {
    return InvalidArgumentError("masquerade mark " + MarkHex(m) + " is not a single bit");
  }
  return Status::Ok();
}

std::string RenderNftablesRemoval(const NftablesOptions& options) {
  return NftReplaceTablePrefix(options.table);
}

std::string RenderNftables(const ServiceTable& table, const NftablesOptions& options) {
  const std::string mark = MarkHex(options.masquerade_mark);
  ChainNamer namer;
  std::vector<std::string> service_elements;
  std::vector<std::string> reject_elements;
  std::vector<std::string> cluster_ips;  // in table order, each once
  std::vector<std::string> node_port_elements;
  std::vector<std::string> node_port_reject_elements;
  std::set<std::string> seen_ips;
  std::set<std::string> seen_node_ports;
  std::ostringstream chains;
  for (const ServicePort& p : table.ports) {
    if (seen_ips.insert(p.cluster_ip).second) cluster_ips.push_back(p.cluster_ip);
    std::string node_key;
    if (p.node_port != 0) {
      std::string key = p.protocol + " . " + std::to_string(p.node_port);
      if (seen_node_ports.insert(key).second) node_key = key;
    }
    if (p.backends.empty()) {
      reject_elements.push_back(Key(p) + " : goto reject-service");
      if (!node_key.empty()) node_port_reject_elements.push_back(node_key + " : goto reject-service");
      continue;
    }
    std::string svc_chain = namer.Service(p);
    service_elements.push_back(Key(p) + " : goto " + svc_chain);
    if (!node_key.empty()) node_port_elements.push_back(node_key + " : goto " + svc_chain);
    std::vector<std::string> ep_chains;
    std::ostringstream ep_out;
    for (const Backend& b : p.backends) {
      std::string ep_chain = namer.Endpoint(p, b);
      ep_chains.push_back(ep_chain);
      ep_out << "\tchain " << ep_chain << " {\n"
             << "\t\tip saddr " << b.ip << " meta mark set meta mark | " << mark << "\n";
      // Only packets to a node port are addressed to this node here.
      if (p.node_port != 0) ep_out << "\t\tfib daddr type local meta mark set meta mark | " << mark << "\n";
      ep_out << "\t\tmeta l4proto " << p.protocol << " dnat to " << b.ip << ":" << b.port << "\n"
             << "\t}\n";
    }
    chains << "\tchain " << svc_chain << " {\n\t\t";
    if (ep_chains.size() == 1) {
      chains << "goto " << ep_chains[0];
    } else {
      chains << "numgen random mod " << ep_chains.size() << " vmap {";
      for (std::size_t i = 0; i < ep_chains.size(); ++i) {
        chains << (i == 0 ? " " : ", ") << i << " : goto " << ep_chains[i];
      }
      chains << " }";
    }
    chains << "\n\t}\n" << ep_out.str();
  }

  const std::string dispatch = "ip daddr . meta l4proto . th dport vmap @service-ips";
  const std::string reject = "ip daddr . meta l4proto . th dport vmap @no-endpoint-services";
  const std::string local = "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap ";
  const std::string node_port_dispatch = local + "@node-ports";
  const std::string node_port_reject = local + "@no-endpoint-node-ports";
  std::ostringstream out;
  out << NftReplaceTablePrefix(options.table) << "table ip " << options.table << " {\n";
  WriteMap(out, "service-ips", service_elements);
  WriteMap(out, "no-endpoint-services", reject_elements);
  WriteMap(out, "cluster-ips", cluster_ips, "ipv4_addr", true);
  WriteMap(out, "node-ports", node_port_elements, kNodePortKey);
  WriteMap(out, "no-endpoint-node-ports", node_port_reject_elements, kNodePortKey);
  WriteBaseChain(out, "nat-prerouting", "type nat hook prerouting priority dstnat", {dispatch, node_port_dispatch});
  WriteBaseChain(out, "nat-output", "type nat hook output priority -100", {dispatch, node_port_dispatch});
  WriteBaseChain(out, "nat-postrouting", "type nat hook postrouting priority srcnat",
                 {"meta mark & " + mark + " == 0 return", "meta mark set meta mark ^ " + mark,
                  "masquerade fully-random"});
  // Still addressed to a ClusterIP after DNAT: a port the Service does not have.
  const std::string unknown_port = "ct state new ip daddr @cluster-ips goto reject-service";
  WriteBaseChain(out, "filter-input", "type filter hook input priority -110", {node_port_reject});
  WriteBaseChain(out, "filter-output", "type filter hook output priority -110", {reject, node_port_reject});
  WriteBaseChain(out, "filter-output-post-dnat", "type filter hook output priority -90", {unknown_port});
  WriteBaseChain(out, "filter-forward", "type filter hook forward priority -110", {reject, unknown_port});
  out << "\tchain reject-service {\n"
      << "\t\tmeta l4proto tcp reject with tcp reset\n"
      << "\t\treject\n"
      << "\t}\n"
      << chains.str() << "}\n";
  return out.str();
}

}  // namespace moor::netproxy
