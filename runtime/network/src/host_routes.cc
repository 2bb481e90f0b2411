#include "host_routes.h"

#include "argv_command.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/files.h"
#include "moor/common/log.h"
#include "moor/runtime/cni/routes.h"

namespace moor::runtime {

namespace {

StatusOr<nlohmann::json> ParseRoutes(const std::string& cidr, const std::string& out) {
  nlohmann::json routes = nlohmann::json::parse(out.empty() ? "[]" : out, nullptr, /*allow_exceptions=*/false);
  if (routes.is_discarded()) return InternalError("`ip -j route show exact " + cidr + "` printed no JSON");
  return routes;
}

std::vector<std::string> RouteArgs(const std::string& verb, const std::string& cidr, int metric) {
  return {"ip", "-4", "route", verb, "unreachable", cidr, "metric", std::to_string(metric), "table", "main"};
}

}  // namespace

StatusOr<std::string> HostRoutes::ShowExact(const std::string& cidr) {
  MOOR_ASSIGN_OR_RETURN(CommandResult shown,
                        RunChecked(runner_, ArgvCommand({"ip", "-4", "-j", "route", "show", "exact", cidr, "table", "main"})));
  return shown.out;
}

StatusOr<std::vector<HostRoutes::Added>> HostRoutes::LoadRecord() const {
  std::vector<Added> routes;
  auto text = ReadFileLimited(record_path_, 1 << 16);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return routes;
    return text.status();
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return InternalError(record_path_ + " is not a JSON array");
  for (const auto& r : j) {
    if (!r.is_object() || !r.contains("cidr") || !r["cidr"].is_string()) {
      return InternalError(record_path_ + " has an entry without \"cidr\"");
    }
    routes.push_back({r["cidr"].get<std::string>(), r.value("metric", 0)});
  }
  return routes;
}

Status HostRoutes::SaveRecord(const std::vector<Added>& routes) const {
  if (routes.empty()) {
    std::error_code ec;
    std::filesystem::remove(record_path_, ec);
    return Status::Ok();
  }
  nlohmann::json j = nlohmann::json::array();
  for (const Added& r : routes) j.push_back({{"cidr", r.cidr}, {"metric", r.metric}});
  return WriteFileAtomic(record_path_, j.dump(2) + "\n");
}

Status HostRoutes::EnsureUnreachable(const std::string& cidr, int metric) {
  MOOR_ASSIGN_OR_RETURN(std::string out, ShowExact(cidr));
  MOOR_ASSIGN_OR_RETURN(nlohmann::json routes, ParseRoutes(cidr, out));
  MOOR_ASSIGN_OR_RETURN(cni::RouteAction action, cni::PlanUnreachableRoute(routes, cidr, metric));
  if (action == cni::RouteAction::kPresent) return Status::Ok();

  // Record the intent first: a crash after `ip route add` must not leave an unrecorded route.
  MOOR_ASSIGN_OR_RETURN(std::vector<Added> recorded, LoadRecord());
  auto same = [&](const Added& a) { return a.cidr == cidr && a.metric == metric; };
  bool was_recorded = std::any_of(recorded.begin(), recorded.end(), same);
  if (!was_recorded) {
    recorded.push_back({cidr, metric});
    MOOR_RETURN_IF_ERROR(SaveRecord(recorded));
  }
  MOOR_ASSIGN_OR_RETURN(CommandResult added, runner_.Run(ArgvCommand(RouteArgs("add", cidr, metric))));
  if (added.exit_code == 0) {
    LogInfo("added unreachable route", {{"cidr", cidr}, {"metric", std::to_string(metric)}});
    return Status::Ok();
  }
  // Lost a race with another process adding the same route: it is theirs, not ours.
  MOOR_ASSIGN_OR_RETURN(std::string again, ShowExact(cidr));
  MOOR_ASSIGN_OR_RETURN(nlohmann::json now, ParseRoutes(cidr, again));
  auto plan = cni::PlanUnreachableRoute(now, cidr, metric);
  if (!was_recorded) {
    recorded.erase(std::remove_if(recorded.begin(), recorded.end(), same), recorded.end());
    MOOR_RETURN_IF_ERROR(SaveRecord(recorded));
  }
  if (plan.ok() && *plan == cni::RouteAction::kPresent) return Status::Ok();
  return CommandFailure(ArgvCommand(RouteArgs("add", cidr, metric)), added);
}

Status HostRoutes::CheckPodSubnet(const std::string& pod_subnet, const std::string& bridge) {
  MOOR_ASSIGN_OR_RETURN(std::string out, ShowExact(pod_subnet));
  MOOR_ASSIGN_OR_RETURN(nlohmann::json routes, ParseRoutes(pod_subnet, out));
  return cni::CheckPodSubnetRoutes(routes, pod_subnet, bridge);
}

Status HostRoutes::RemoveAdded() {
  MOOR_ASSIGN_OR_RETURN(std::vector<Added> recorded, LoadRecord());
  std::vector<Added> left;
  Status first;
  for (const Added& r : recorded) {
    MOOR_ASSIGN_OR_RETURN(std::string out, ShowExact(r.cidr));
    MOOR_ASSIGN_OR_RETURN(nlohmann::json routes, ParseRoutes(r.cidr, out));
    auto plan = cni::PlanUnreachableRoute(routes, r.cidr, r.metric);
    if (plan.ok() && *plan == cni::RouteAction::kAdd) continue;  // already gone
    auto deleted = RunChecked(runner_, ArgvCommand(RouteArgs("del", r.cidr, r.metric)));
    if (!deleted.ok()) {
      left.push_back(r);
      if (first.ok()) first = deleted.status();
    }
  }
  MOOR_RETURN_IF_ERROR(SaveRecord(left));
  return first;
}

}  // namespace moor::runtime
