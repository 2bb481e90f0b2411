#include "moor/runtime/cni/config.h"

#include <functional>

#include <gtest/gtest.h>

namespace moor::runtime::cni {
namespace {

CniNetworkOptions Options() {
  CniNetworkOptions o;
  o.name_prefix = "mtabc123";
  o.bridge = "mtabc123br";
  o.pod_subnet = "10.42.201.0/24";
  o.state_dir = "/var/lib/moor/network";
  o.mtu = 1400;
  return o;
}

TEST(CniConfigTest, ValidatesOptions) {
  struct Case {
    const char* name;
    std::function<void(CniNetworkOptions&)> change;
    const char* error;  // "" = valid; otherwise a piece of the message
  } cases[] = {
      {"defaults with state dir", [](CniNetworkOptions&) {}, ""},
      {"pod subnet outside cluster", [](CniNetworkOptions& o) { o.pod_subnet = "10.43.1.0/24"; },
       "pod_subnet 10.43.1.0/24 is not inside cluster_cidr 10.42.0.0/16"},
      {"pod subnet wider than cluster", [](CniNetworkOptions& o) { o.pod_subnet = "10.0.0.0/8"; },
       "is not inside cluster_cidr"},
      {"pod subnet too small", [](CniNetworkOptions& o) { o.pod_subnet = "10.42.0.0/31"; }, "too small"},
      {"pod subnet host bits", [](CniNetworkOptions& o) { o.pod_subnet = "10.42.0.1/24"; }, "pod_subnet"},
      {"overlapping service range", [](CniNetworkOptions& o) { o.service_cidr = "10.42.128.0/17"; }, "overlap"},
      {"bad cluster cidr", [](CniNetworkOptions& o) { o.cluster_cidr = "10.42.0.0"; }, "cluster_cidr"},
      {"bridge too long", [](CniNetworkOptions& o) { o.bridge = "a-very-long-bridge"; }, "bridge"},
      {"bridge with slash", [](CniNetworkOptions& o) { o.bridge = "br/0"; }, "bridge"},
      {"empty prefix", [](CniNetworkOptions& o) { o.name_prefix = ""; }, "name_prefix"},
      {"upper-case prefix", [](CniNetworkOptions& o) { o.name_prefix = "Moor"; }, "name_prefix"},
      {"missing state dir", [](CniNetworkOptions& o) { o.state_dir = ""; }, "state_dir"},
      {"relative state dir", [](CniNetworkOptions& o) { o.state_dir = "state"; }, "state_dir"},
      {"tiny mtu", [](CniNetworkOptions& o) { o.mtu = 100; }, "mtu"},
      {"negative metric", [](CniNetworkOptions& o) { o.route_metric = -1; }, "route_metric"},
  };
  for (const auto& c : cases) {
    CniNetworkOptions o = Options();
    c.change(o);
    Status s = ValidateOptions(o);
    if (std::string(c.error).empty()) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << s.ToString();
    } else {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.name;
      EXPECT_NE(s.message().find(c.error), std::string::npos) << c.name << ": " << s.message();
    }
  }
}

TEST(CniConfigTest, SandboxIds) {
  EXPECT_TRUE(IsValidSandboxId("0123abcdef"));
  EXPECT_TRUE(IsValidSandboxId("pod_1.a-b"));
  EXPECT_FALSE(IsValidSandboxId(""));
  EXPECT_FALSE(IsValidSandboxId("../x"));
  EXPECT_FALSE(IsValidSandboxId("a/b"));
  EXPECT_FALSE(IsValidSandboxId("-a"));
  EXPECT_FALSE(IsValidSandboxId(".a"));
  EXPECT_FALSE(IsValidSandboxId(std::string(65, 'a')));
}

TEST(CniConfigTest, ConflistIsBridgeThenPortmap) {
  nlohmann::json expected = nlohmann::json::parse(R"({
    "cniVersion": "1.0.0",
    "name": "mtabc123",
    "plugins": [
      {
        "type": "bridge",
        "bridge": "mtabc123br",
        "isGateway": true,
        "ipMasq": false,
        "hairpinMode": true,
        "mtu": 1400,
        "ipam": {
          "type": "host-local",
          "ranges": [[{"subnet": "10.42.201.0/24"}]],
          "dataDir": "/var/lib/moor/network/ipam",
          "routes": [{"dst": "10.42.0.0/16"}, {"dst": "10.43.0.0/16"}]
        }
      },
      {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
    ]
  })");
  EXPECT_EQ(BuildConflist(Options()), expected) << BuildConflist(Options()).dump(2);
  EXPECT_EQ(ConflistPath(Options()), "/var/lib/moor/network/mtabc123.conflist");
}

TEST(CniConfigTest, PluginInputInjectsNameVersionPrevResultAndCapabilities) {
  nlohmann::json conflist = BuildConflist(Options());
  nlohmann::json prev = {{"cniVersion", "1.0.0"}, {"ips", {{{"address", "10.42.201.2/24"}}}}};
  std::vector<PortMapping> ports = {{8080, 80, "tcp", ""}, {5353, 53, "udp", "127.0.0.1"}};

  auto bridge = PluginInput(conflist, 0, nullptr, ports);
  ASSERT_TRUE(bridge.ok()) << bridge.status().ToString();
  EXPECT_EQ((*bridge)["name"], "mtabc123");
  EXPECT_EQ((*bridge)["cniVersion"], "1.0.0");
  EXPECT_EQ((*bridge)["type"], "bridge");
  EXPECT_FALSE(bridge->contains("prevResult"));
  EXPECT_FALSE(bridge->contains("runtimeConfig")) << "bridge declares no capability";

  auto portmap = PluginInput(conflist, 1, prev, ports);
  ASSERT_TRUE(portmap.ok());
  EXPECT_EQ((*portmap)["prevResult"], prev);
  EXPECT_EQ((*portmap)["runtimeConfig"], nlohmann::json::parse(R"({"portMappings":[
      {"hostPort":8080,"containerPort":80,"protocol":"tcp"},
      {"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"}]})"));

  auto none = PluginInput(conflist, 1, prev, {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)["runtimeConfig"]["portMappings"], nlohmann::json::array());

  EXPECT_EQ(PluginInput(conflist, 2, nullptr, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PluginInput(nlohmann::json::object(), 0, nullptr, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(CniConfigTest, NormalizesPortMappings) {
  struct Case {
    const char* name;
    std::vector<PortMapping> in;
    const char* error;
  } cases[] = {
      {"upper-case protocol", {{8080, 80, "TCP", ""}}, ""},
      {"empty protocol", {{8080, 80, "", ""}}, ""},
      {"same port, two protocols", {{53, 53, "tcp", ""}, {53, 53, "UDP", ""}}, ""},
      {"unknown protocol", {{8080, 80, "icmp", ""}}, "protocol"},
      {"zero host port", {{0, 80, "tcp", ""}}, "1..65535"},
      {"large container port", {{80, 70000, "tcp", ""}}, "1..65535"},
      {"bad host ip", {{80, 80, "tcp", "localhost"}}, "hostIP"},
      {"duplicate", {{80, 80, "tcp", ""}, {80, 81, "TCP", ""}}, "mapped twice"},
  };
  for (const auto& c : cases) {
    auto out = NormalizePortMappings(c.in);
    if (std::string(c.error).empty()) {
      ASSERT_TRUE(out.ok()) << c.name << ": " << out.status().ToString();
      for (const auto& p : *out) EXPECT_TRUE(p.protocol == "tcp" || p.protocol == "udp") << c.name;
    } else {
      EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << c.name;
      EXPECT_NE(out.status().message().find(c.error), std::string::npos) << c.name << ": " << out.status().message();
    }
  }
}

TEST(CniConfigTest, PortMappingsRoundTrip) {
  std::vector<PortMapping> ports = {{8080, 80, "tcp", ""}, {5353, 53, "udp", "127.0.0.1"}};
  auto back = PortMappingsFromJson(PortMappingsJson(ports));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].host_ip, "127.0.0.1");
  EXPECT_EQ((*back)[1].protocol, "udp");
  EXPECT_FALSE(PortMappingsFromJson(nlohmann::json::parse(R"([{"hostPort":"x"}])")).ok());
}

TEST(CniConfigTest, PluginEnvironment) {
  auto env = PluginEnvironment("DEL", "mt-1", "", "eth0", "/usr/lib/cni");
  EXPECT_EQ(env.at("CNI_COMMAND"), "DEL");
  EXPECT_EQ(env.at("CNI_CONTAINERID"), "mt-1");
  EXPECT_EQ(env.at("CNI_NETNS"), "");
  EXPECT_EQ(env.at("CNI_IFNAME"), "eth0");
  EXPECT_EQ(env.at("CNI_PATH"), "/usr/lib/cni");
}

}  // namespace
}  // namespace moor::runtime::cni
