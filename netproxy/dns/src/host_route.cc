#include "moor/netproxy/dns/host_route.h"

namespace moor::netproxy::dns {
namespace {

CommandSpec IpRoute(const std::string& verb, const std::string& ip) {
  CommandSpec spec;
  spec.argv = {"ip", "route", verb, "local", ip + "/32", "dev", "lo", "table", "local"};
  spec.timeout = std::chrono::seconds(10);
  return spec;
}

}  // namespace

Status AddLocalRoute(CommandRunner& runner, const std::string& ip) {
  auto result = RunChecked(runner, IpRoute("replace", ip));
  if (!result.ok()) return result.status().WithContext("routing the cluster DNS address " + ip + " to this host");
  return Status::Ok();
}

Status RemoveLocalRoute(CommandRunner& runner, const std::string& ip) {
  CommandSpec spec = IpRoute("del", ip);
  MOOR_ASSIGN_OR_RETURN(CommandResult result, runner.Run(spec));
  if (result.exit_code == 0) return Status::Ok();
  // "RTNETLINK answers: No such process": the route is already gone.
  if (result.err.find("No such process") != std::string::npos) return Status::Ok();
  return CommandFailure(spec, result).WithContext("removing the route of the cluster DNS address " + ip);
}

}  // namespace moor::netproxy::dns
