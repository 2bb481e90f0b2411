#include "moor/runtime/cni/routes.h"

namespace moor::runtime::cni {

namespace {

// `ip -j` omits "type" for unicast routes and "metric" for metric 0.
std::string TypeOf(const nlohmann::json& route) { return route.value("type", std::string("unicast")); }
int MetricOf(const nlohmann::json& route) {
  auto it = route.find("metric");
  return it != route.end() && it->is_number_integer() ? it->get<int>() : 0;
}

bool Forwards(const std::string& type) {
  return type != "unreachable" && type != "blackhole" && type != "prohibit" && type != "throw";
}

Status CheckShape(const nlohmann::json& routes) {
  if (!routes.is_array()) return InternalError("`ip -j route show` did not print a JSON array");
  for (const auto& r : routes) {
    if (!r.is_object()) return InternalError("`ip -j route show` printed a route that is not an object");
  }
  return Status::Ok();
}

std::string Describe(const nlohmann::json& route) {
  std::string text = TypeOf(route) + " " + route.value("dst", std::string("?"));
  if (route.contains("gateway")) text += " via " + route.value("gateway", std::string());
  if (route.contains("dev")) text += " dev " + route.value("dev", std::string());
  if (MetricOf(route) != 0) text += " metric " + std::to_string(MetricOf(route));
  return text;
}

}  // namespace

StatusOr<RouteAction> PlanUnreachableRoute(const nlohmann::json& routes, const std::string& cidr, int metric) {
  MOOR_RETURN_IF_ERROR(CheckShape(routes));
  bool present = false;
  for (const auto& r : routes) {
    std::string type = TypeOf(r);
    if (Forwards(type)) {
      return FailedPreconditionError("the host already routes " + cidr + " (\"" + Describe(r) +
                                     "\"); moor needs the whole range unreachable so no pod or service packet "
                                     "leaves the machine: remove that route or choose other cluster/service CIDRs");
    }
    if (type == "unreachable" && MetricOf(r) == metric) present = true;
  }
  return present ? RouteAction::kPresent : RouteAction::kAdd;
}

Status CheckPodSubnetRoutes(const nlohmann::json& routes, const std::string& pod_subnet, const std::string& bridge) {
  MOOR_RETURN_IF_ERROR(CheckShape(routes));
  for (const auto& r : routes) {
    if (r.value("dev", std::string()) == bridge && Forwards(TypeOf(r))) continue;
    return FailedPreconditionError("pod subnet " + pod_subnet + " is already routed on this host (\"" + Describe(r) +
                                   "\"), not through bridge " + bridge + ": choose another pod_subnet");
  }
  return Status::Ok();
}

}  // namespace moor::runtime::cni
