#include "moor/runtime/cni/routes.h"

#include <optional>

#include <gtest/gtest.h>

namespace moor::runtime::cni {
namespace {

TEST(CniRoutesTest, PlansUnreachableRoutes) {
  struct Case {
    const char* name;
    const char* routes;  // as `ip -4 -j route show exact 10.42.0.0/16` prints them
    int metric;
    std::optional<RouteAction> action;  // nullopt: error
  } cases[] = {
      {"nothing there", "[]", 0, RouteAction::kAdd},
      {"identical route", R"([{"type":"unreachable","dst":"10.42.0.0/16","flags":[]}])", 0, RouteAction::kPresent},
      {"identical route with metric", R"([{"type":"unreachable","dst":"10.42.0.0/16","metric":4711,"flags":[]}])",
       4711, RouteAction::kPresent},
      {"someone else's metric: add ours too", R"([{"type":"unreachable","dst":"10.42.0.0/16","flags":[]}])", 4711,
       RouteAction::kAdd},
      {"a blackhole is safe too", R"([{"type":"blackhole","dst":"10.42.0.0/16","flags":[]}])", 0, RouteAction::kAdd},
      {"a unicast route off the machine", R"([{"dst":"10.42.0.0/16","gateway":"192.0.2.1","dev":"eth0","flags":[]}])",
       0, std::nullopt},
      {"a unicast route next to ours",
       R"([{"type":"unreachable","dst":"10.42.0.0/16","flags":[]},{"dst":"10.42.0.0/16","dev":"eth0","metric":5}])", 0,
       std::nullopt},
      {"not an array", R"({"dst":"10.42.0.0/16"})", 0, std::nullopt},
  };
  for (const auto& c : cases) {
    auto plan = PlanUnreachableRoute(nlohmann::json::parse(c.routes), "10.42.0.0/16", c.metric);
    if (!c.action) {
      EXPECT_FALSE(plan.ok()) << c.name;
      continue;
    }
    ASSERT_TRUE(plan.ok()) << c.name << ": " << plan.status().ToString();
    EXPECT_EQ(*plan, *c.action) << c.name;
  }
  auto refused = PlanUnreachableRoute(
      nlohmann::json::parse(R"([{"dst":"10.42.0.0/16","gateway":"192.0.2.1","dev":"eth0"}])"), "10.42.0.0/16", 0);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("unicast 10.42.0.0/16 via 192.0.2.1 dev eth0"), std::string::npos)
      << refused.status().message();
}

TEST(CniRoutesTest, PodSubnetMayOnlyBeRoutedToOurBridge) {
  auto check = [](const char* routes) {
    return CheckPodSubnetRoutes(nlohmann::json::parse(routes), "10.42.201.0/24", "mt0");
  };
  EXPECT_TRUE(check("[]").ok());
  EXPECT_TRUE(check(R"([{"dst":"10.42.201.0/24","dev":"mt0","protocol":"kernel","scope":"link"}])").ok());
  Status other = check(R"([{"dst":"10.42.201.0/24","dev":"cni0","protocol":"kernel","scope":"link"}])");
  EXPECT_EQ(other.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.message().find("dev cni0"), std::string::npos) << other.message();
  EXPECT_FALSE(check(R"([{"type":"unreachable","dst":"10.42.201.0/24"}])").ok());
}

}  // namespace
}  // namespace moor::runtime::cni
