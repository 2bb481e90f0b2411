#include "moor/netproxy/stale_udp_flows.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace moor::netproxy {

namespace {

using PortKey = std::tuple<std::string, int>;  // ClusterIP, port

std::map<PortKey, const ServicePort*> UdpPorts(const ServiceTable& table) {
  std::map<PortKey, const ServicePort*> out;
  for (const ServicePort& p : table.ports) {
    if (p.protocol == "udp") out[{p.cluster_ip, p.port}] = &p;
  }
  return out;
}

// Appends `f` unless it is already in `out` (tracked in `seen`).
void Add(std::vector<UdpFlowFilter>& out, std::set<UdpFlowFilter>& seen, const UdpFlowFilter& f) {
  if (seen.insert(f).second) out.push_back(f);
}

}  // namespace

std::vector<UdpFlowFilter> StaleUdpFlows(const ServiceTable& before, const ServiceTable& after) {
  std::vector<UdpFlowFilter> out;
  std::set<UdpFlowFilter> seen;
  const auto old_ports = UdpPorts(before);
  const auto new_ports = UdpPorts(after);
  for (const auto& [key, old_port] : old_ports) {
    auto it = new_ports.find(key);
    const std::vector<Backend> none;
    const std::vector<Backend>& now = it == new_ports.end() ? none : it->second->backends;
    for (const Backend& b : old_port->backends) {
      if (std::find(now.begin(), now.end(), b) != now.end()) continue;
      Add(out, seen, {old_port->cluster_ip, old_port->port, b.ip, b.port});
      if (old_port->node_port > 0) Add(out, seen, {"", old_port->node_port, b.ip, b.port});
    }
  }
  for (const auto& [key, new_port] : new_ports) {
    if (new_port->backends.empty()) continue;
    auto it = old_ports.find(key);
    if (it != old_ports.end() && !it->second->backends.empty()) continue;
    Add(out, seen, {new_port->cluster_ip, new_port->port, "", 0});
    if (new_port->node_port > 0) Add(out, seen, {"", new_port->node_port, "", 0});
  }
  return out;
}

std::vector<std::string> ConntrackDeleteArgv(const UdpFlowFilter& f) {
  std::vector<std::string> argv = {"conntrack", "-D", "-p", "udp"};
  if (!f.orig_dst.empty()) argv.insert(argv.end(), {"--orig-dst", f.orig_dst});
  if (f.orig_dst_port > 0) argv.insert(argv.end(), {"--orig-port-dst", std::to_string(f.orig_dst_port)});
  if (!f.reply_src.empty()) argv.insert(argv.end(), {"--reply-src", f.reply_src});
  if (f.reply_src_port > 0) argv.insert(argv.end(), {"--reply-port-src", std::to_string(f.reply_src_port)});
  return argv;
}

Status DeleteUdpFlows(CommandRunner& runner, const std::vector<UdpFlowFilter>& filters) {
  Status first;
  for (const UdpFlowFilter& f : filters) {
    CommandSpec spec;
    spec.argv = ConntrackDeleteArgv(f);
    spec.timeout = std::chrono::seconds(30);
    auto ran = runner.Run(spec);
    Status st;
    if (!ran.ok()) {
      st = ran.status();
    } else if (ran->exit_code != 0 && ran->err.find("flow entries have been deleted") == std::string::npos) {
      std::string err = ran->err.substr(0, ran->err.find('\n'));
      st = UnavailableError("conntrack exited " + std::to_string(ran->exit_code) + (err.empty() ? "" : ": " + err));
    }
    if (!st.ok() && first.ok()) {
      std::string cmd;
      for (const auto& a : spec.argv) cmd += (cmd.empty() ? "" : " ") + a;
      first = st.WithContext(cmd);
    }
  }
  return first;
}

}  // namespace moor::netproxy
