#include "cluster_ip_routes.h"

#include <nlohmann/json.hpp>

#include "moor/common/log.h"

namespace moor::netproxy {

namespace {

CommandSpec IpCommand(const std::vector<std::string>& args) {
  CommandSpec spec;
  spec.argv = {"ip"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout = std::chrono::seconds(30);
  return spec;
}

StatusOr<nlohmann::json> ParseJson(const std::string& what, const std::string& out) {
  nlohmann::json j = nlohmann::json::parse(out.empty() ? "[]" : out, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return InternalError("`" + what + "` printed no JSON array");
  return j;
}

}  // namespace

StatusOr<CommandResult> ClusterIpRoutes::Ip(const std::vector<std::string>& args) {
  return RunChecked(runner_, IpCommand(args));
}

StatusOr<std::string> ClusterIpRoutes::BridgeAddress() {
  std::vector<std::string> args = {"-4", "-j", "addr", "show", "dev", bridge_};
  MOOR_ASSIGN_OR_RETURN(CommandResult shown, runner_.Run(IpCommand(args)));
  if (shown.exit_code != 0) {
    if (shown.err.find("does not exist") != std::string::npos) return std::string();
    return CommandFailure(IpCommand(args), shown);
  }
  MOOR_ASSIGN_OR_RETURN(nlohmann::json links, ParseJson("ip -4 -j addr show dev " + bridge_, shown.out));
  for (const auto& link : links) {
    if (!link.is_object() || !link.contains("addr_info") || !link["addr_info"].is_array()) continue;
    for (const auto& addr : link["addr_info"]) {
      if (addr.is_object() && addr.value("family", "") == "inet" && addr.contains("local") && addr["local"].is_string()) {
        return addr["local"].get<std::string>();
      }
    }
  }
  return std::string();
}

StatusOr<std::vector<ClusterIpRoutes::Route>> ClusterIpRoutes::OurRoutes() {
  MOOR_ASSIGN_OR_RETURN(CommandResult shown, Ip({"-4", "-j", "route", "show", "table", "main", "dev", bridge_}));
  MOOR_ASSIGN_OR_RETURN(nlohmann::json routes, ParseJson("ip -4 -j route show table main dev " + bridge_, shown.out));
  std::vector<Route> ours;
  for (const auto& r : routes) {
    if (!r.is_object() || !r.contains("dst") || !r["dst"].is_string()) continue;
    if (r.value("type", "unicast") != "unicast" || r.value("metric", 0) != metric_) continue;
    std::string dst = r["dst"].get<std::string>();
    if (dst.size() > 3 && dst.compare(dst.size() - 3, 3, "/32") == 0) dst.resize(dst.size() - 3);
    auto address = ParseIpv4Address(dst);  // fails for any prefix other than /32
    if (!address.ok() || !service_cidr_.ContainsAddress(*address)) continue;
    ours.push_back({dst, r.contains("prefsrc") && r["prefsrc"].is_string() ? r["prefsrc"].get<std::string>() : ""});
  }
  return ours;
}

Status ClusterIpRoutes::Sync(const std::set<std::string>& ips) {
  MOOR_ASSIGN_OR_RETURN(std::string src, BridgeAddress());
  if (src.empty()) {
    LogDebug("ClusterIP routes skipped: the bridge does not exist yet", {{"bridge", bridge_}});
    return Status::Ok();
  }
  std::set<std::string> wanted;
  for (const std::string& ip : ips) {
    auto address = ParseIpv4Address(ip);
    if (address.ok() && service_cidr_.ContainsAddress(*address)) wanted.insert(ip);
  }
  MOOR_ASSIGN_OR_RETURN(std::vector<Route> ours, OurRoutes());
  // One `ip -batch` for all changes (a process per route costs seconds for a thousand).
  std::string batch;
  std::set<std::string> present;
  const std::string metric = std::to_string(metric_);
  for (const Route& r : ours) {
    if (!wanted.count(r.ip)) {
      batch += "route del " + r.ip + "/32 dev " + bridge_ + " metric " + metric + " table main\n";
    } else if (r.src == src) {
      present.insert(r.ip);
    }  // else: a stale source address, replaced below
  }
  for (const std::string& ip : wanted) {
    if (!present.count(ip)) {
      batch += "route replace " + ip + "/32 dev " + bridge_ + " src " + src + " metric " + metric + " table main\n";
    }
  }
  if (batch.empty()) return Status::Ok();
  CommandSpec spec = IpCommand({"-4", "-batch", "-"});
  spec.input = batch;
  auto ran = RunChecked(runner_, spec);
  if (!ran.ok()) return ran.status();
  return Status::Ok();
}

}  // namespace moor::netproxy
