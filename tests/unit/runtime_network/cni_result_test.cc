#include "moor/runtime/cni/result.h"

#include <gtest/gtest.h>

namespace moor::runtime::cni {
namespace {

// What bridge 1.1.1 printed on this host (and portmap passes through unchanged).
constexpr const char* kBridgeResult = R"({
    "cniVersion": "1.0.0",
    "interfaces": [
        {"name": "mtproto0", "mac": "66:eb:60:20:dc:c9"},
        {"name": "veth05697799", "mac": "3e:13:bb:9f:9b:a0"},
        {"name": "eth0", "mac": "3a:b7:c2:15:b1:eb", "sandbox": "/var/run/netns/mtproto-a"}
    ],
    "ips": [{"interface": 2, "address": "10.42.251.2/24", "gateway": "10.42.251.1"}],
    "routes": [{"dst": "10.42.0.0/16"}],
    "dns": {}
})";

TEST(CniResultTest, ParsesAddResults) {
  struct Case {
    const char* name;
    const char* json;
    const char* ip;  // "" = error expected
    const char* gateway;
  } cases[] = {
      {"bridge result", kBridgeResult, "10.42.251.2", "10.42.251.1"},
      {"sandbox entry wins over an earlier host entry",
       R"({"interfaces":[{"name":"br"},{"name":"eth0","sandbox":"/n"}],
           "ips":[{"interface":0,"address":"10.42.0.1/24"},{"interface":1,"address":"10.42.0.5/24","gateway":"10.42.0.1"}]})",
       "10.42.0.5", "10.42.0.1"},
      {"IPv6 entries are skipped",
       R"({"interfaces":[{"name":"eth0","sandbox":"/n"}],
           "ips":[{"interface":0,"address":"fd00::5/64"},{"interface":0,"address":"10.42.0.6/24"}]})",
       "10.42.0.6", ""},
      {"no interface index: first IPv4", R"({"ips":[{"address":"10.42.0.7/24","gateway":"10.42.0.1"}]})", "10.42.0.7",
       "10.42.0.1"},
      {"no ips", R"({"cniVersion":"1.0.0","interfaces":[]})", "", ""},
      {"only IPv6", R"({"ips":[{"address":"fd00::5/64"}]})", "", ""},
      {"garbage address", R"({"ips":[{"address":"10.42.0.300/24"}]})", "", ""},
      {"garbage gateway", R"({"ips":[{"address":"10.42.0.3/24","gateway":"x"}]})", "", ""},
      {"not an object", R"([1,2])", "", ""},
  };
  for (const auto& c : cases) {
    auto parsed = ParseAddResult(nlohmann::json::parse(c.json));
    if (std::string(c.ip).empty()) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << c.name;
      continue;
    }
    ASSERT_TRUE(parsed.ok()) << c.name << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->ip, c.ip) << c.name;
    EXPECT_EQ(parsed->gateway, c.gateway) << c.name;
  }
  auto bridge = ParseAddResult(nlohmann::json::parse(kBridgeResult));
  ASSERT_TRUE(bridge.ok());
  EXPECT_EQ(bridge->ifname, "eth0");
}

CommandResult Failed(int exit_code, std::string out, std::string err = "", bool timed_out = false) {
  CommandResult r;
  r.exit_code = exit_code;
  r.out = std::move(out);
  r.err = std::move(err);
  r.timed_out = timed_out;
  return r;
}

TEST(CniResultTest, PluginErrorsBecomeStatuses) {
  struct Case {
    const char* name;
    CommandResult result;
    StatusCode code;
    const char* message;
  } cases[] = {
      {"bridge's own error (what 1.1.1 prints for a missing netns)",
       Failed(1, R"({"code": 999, "msg": "failed to open netns \"/var/run/netns/x\": no such file or directory"})"),
       StatusCode::kUnavailable,
       "CNI bridge ADD for x failed (CNI error 999): failed to open netns \"/var/run/netns/x\": no such file or "
       "directory"},
      {"error with details",
       Failed(1, R"({"cniVersion":"1.0.0","code":7,"msg":"invalid config","details":"ranges must not be empty"})"),
       StatusCode::kFailedPrecondition,
       "CNI bridge ADD for x failed (CNI error 7): invalid config: ranges must not be empty"},
      {"incompatible version", Failed(1, R"({"code":1,"msg":"incompatible CNI versions"})"),
       StatusCode::kFailedPrecondition, "(CNI error 1): incompatible CNI versions"},
      {"unknown container", Failed(1, R"({"code":3,"msg":"no such container"})"), StatusCode::kNotFound,
       "no such container"},
      {"try again later", Failed(1, R"({"code":11,"msg":"busy"})"), StatusCode::kUnavailable, "busy"},
      {"error object on stderr", Failed(1, "", R"({"code":4,"msg":"CNI_NETNS missing"})"),
       StatusCode::kFailedPrecondition, "CNI_NETNS missing"},
      {"no JSON: first stderr line", Failed(2, "", "\npanic: boom\ngoroutine 1\n"), StatusCode::kUnavailable,
       "CNI bridge ADD for x failed (exit 2): panic: boom"},
      {"timeout", Failed(-1, "", "", true), StatusCode::kDeadlineExceeded, "CNI bridge ADD for x: timed out"},
  };
  for (const auto& c : cases) {
    Status s = PluginFailure("CNI bridge ADD for x", c.result);
    EXPECT_EQ(s.code(), c.code) << c.name << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << c.name << ": " << s.message();
  }
}

TEST(CniResultTest, PluginOutputMustBeJson) {
  EXPECT_TRUE(ParsePluginOutput("CNI bridge ADD", kBridgeResult).ok());
  auto bad = ParsePluginOutput("CNI bridge ADD", "not json");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("not json"), std::string::npos);
}

}  // namespace
}  // namespace moor::runtime::cni
