#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"

// Pure decisions about host routes, from `ip -j route show exact <cidr>` (table main).
namespace moor::runtime::cni {

enum class RouteAction {
  kPresent,  // an unreachable route for the prefix with this metric exists: nothing to do
  kAdd,      // add "unreachable <cidr> metric <metric>"
};

// Decides what Init() does for one range. kFailedPrecondition if any route for exactly `cidr`
// that can forward packets (anything but unreachable / blackhole / prohibit / throw) exists: moor
// must never share the range with a route off the machine. kInternal if `routes` is not the
// array `ip -j` prints.
StatusOr<RouteAction> PlanUnreachableRoute(const nlohmann::json& routes, const std::string& cidr, int metric);

// Checks that the pod subnet is not routed somewhere else: OK if `routes` is empty or every
// route for exactly the subnet goes to `bridge` (the kernel's link route of our own bridge);
// kFailedPrecondition naming the device otherwise.
Status CheckPodSubnetRoutes(const nlohmann::json& routes, const std::string& pod_subnet, const std::string& bridge);

}  // namespace moor::runtime::cni
