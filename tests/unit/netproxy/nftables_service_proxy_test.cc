// NftablesServiceProxy against a scripted CommandRunner: which commands it runs, and which host
// routes it claims as its own (only /32s inside the service CIDR on its bridge with its metric).
#include "moor/netproxy/nftables_service_proxy.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace moor::netproxy {
namespace {

using ::testing::HasSubstr;

// Answers `ip ... addr show` and `ip ... route show` from canned JSON, records everything else.
class ScriptedRunner final : public CommandRunner {
 public:
  std::string addr_json = R"([{"ifname":"cni0","addr_info":[{"family":"inet","local":"10.42.0.1","prefixlen":24}]}])";
  int addr_exit = 0;
  std::string addr_err;
  std::string route_json = "[]";
  int nft_exit = 0;
  int conntrack_exit = 0;
  std::vector<CommandSpec> calls;

  StatusOr<moor::CommandResult> Run(const CommandSpec& spec) override {
    calls.push_back(spec);
    moor::CommandResult r;
    r.exit_code = 0;
    const auto& a = spec.argv;
    auto has = [&](const std::string& word) { return std::find(a.begin(), a.end(), word) != a.end(); };
    if (a[0] == "conntrack") {
      r.exit_code = conntrack_exit;
      if (conntrack_exit != 0) r.err = "conntrack v1.4.7 (conntrack-tools): Operation failed: invalid parameters\n";
    } else if (a[0] == "nft") {
      r.exit_code = nft_exit;
      if (nft_exit != 0) r.err = "Error: Could not process rule: Operation not permitted";
    } else if (has("addr")) {
      r.exit_code = addr_exit;
      r.out = addr_exit == 0 ? addr_json : "";
      r.err = addr_err;
    } else if (has("show")) {
      r.out = route_json;
    }
    return r;
  }

  // The input of the `ip -batch -` call, "" if there was none.
  std::string Batch() const {
    for (const auto& c : calls) {
      if (c.argv[0] == "ip" && std::find(c.argv.begin(), c.argv.end(), "-batch") != c.argv.end()) return c.input;
    }
    return "";
  }
};

ServiceTable Table(std::initializer_list<std::string> ips) {
  ServiceTable t;
  for (const auto& ip : ips) {
    ServicePort p;
    p.ns = "default";
    p.name = "s" + ip;
    p.cluster_ip = ip;
    p.protocol = "tcp";
    p.port = 80;
    t.ports.push_back(p);
  }
  return t;
}

std::unique_ptr<ServiceProxy> Proxy(ScriptedRunner& runner) {
  NftablesServiceProxyOptions o;
  o.bridge = "cni0";
  o.route_metric = 77;
  o.runner = &runner;
  auto p = CreateNftablesServiceProxy(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

TEST(NftablesServiceProxyTest, RejectsBadOptions) {
  NftablesServiceProxyOptions o;
  o.service_cidr = "10.43.0.1/16";
  EXPECT_EQ(CreateNftablesServiceProxy(o).status().code(), StatusCode::kInvalidArgument);
  o.service_cidr = "10.43.0.0/16";
  o.bridge = "a-bridge-name-too-long";
  EXPECT_EQ(CreateNftablesServiceProxy(o).status().code(), StatusCode::kInvalidArgument);
  o.bridge = "cni0";
  o.nftables.table = "two words";
  EXPECT_EQ(CreateNftablesServiceProxy(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(NftablesServiceProxyTest, AppliesTheScriptThenAddsMissingAndDeletesOnlyItsOwnStaleRoutes) {
  ScriptedRunner runner;
  runner.route_json = R"([
    {"dst":"10.42.0.0/24","protocol":"kernel","scope":"link","prefsrc":"10.42.0.1"},
    {"dst":"10.43.0.5","scope":"link","prefsrc":"10.42.0.1","metric":77},
    {"dst":"10.43.0.6","scope":"link","prefsrc":"10.42.0.1","metric":77},
    {"dst":"10.43.0.7","scope":"link","prefsrc":"10.42.0.9","metric":77},
    {"dst":"10.43.0.8","scope":"link","prefsrc":"10.42.0.1","metric":5},
    {"dst":"10.43.1.0/24","scope":"link","metric":77},
    {"dst":"192.168.7.7","scope":"link","metric":77},
    {"type":"unreachable","dst":"10.43.0.9","metric":77}
  ])";
  auto proxy = Proxy(runner);
  Status s = proxy->Apply(Table({"10.43.0.5", "10.43.0.7", "10.43.0.20", "192.168.1.1"}));
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_FALSE(runner.calls.empty());
  EXPECT_EQ(runner.calls[0].argv, (std::vector<std::string>{"nft", "-f", "-"}));
  EXPECT_THAT(runner.calls[0].input, HasSubstr("10.43.0.20 . tcp . 80"));
  // .6 is ours and stale; .7 is ours with a stale source; .20 is new; .5 is fine; .8 (other
  // metric), the /24, the address outside the service CIDR and the unreachable are not ours;
  // 192.168.1.1 is outside the service CIDR and gets no route.
  EXPECT_EQ(runner.Batch(),
            "route del 10.43.0.6/32 dev cni0 metric 77 table main\n"
            "route replace 10.43.0.20/32 dev cni0 src 10.42.0.1 metric 77 table main\n"
            "route replace 10.43.0.7/32 dev cni0 src 10.42.0.1 metric 77 table main\n");
}

TEST(NftablesServiceProxyTest, NoBridgeYetMeansNoRoutes) {
  ScriptedRunner runner;
  runner.addr_exit = 1;
  runner.addr_err = "Device \"cni0\" does not exist.\n";
  auto proxy = Proxy(runner);
  EXPECT_TRUE(proxy->Apply(Table({"10.43.0.5"})).ok());
  EXPECT_EQ(runner.Batch(), "");
  EXPECT_EQ(runner.calls.size(), 2u) << "nft, then the bridge lookup; no route commands";
}

TEST(NftablesServiceProxyTest, NothingToChangeRunsNoBatch) {
  ScriptedRunner runner;
  runner.route_json = R"([{"dst":"10.43.0.5","scope":"link","prefsrc":"10.42.0.1","metric":77}])";
  auto proxy = Proxy(runner);
  EXPECT_TRUE(proxy->Apply(Table({"10.43.0.5"})).ok());
  EXPECT_EQ(runner.Batch(), "");
}

TEST(NftablesServiceProxyTest, NftFailureIsUnavailableAndNamesTheTable) {
  ScriptedRunner runner;
  runner.nft_exit = 1;
  auto proxy = Proxy(runner);
  Status s = proxy->Apply(Table({"10.43.0.5"}));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("table ip moor"));
  EXPECT_THAT(s.message(), HasSubstr("Operation not permitted"));
  EXPECT_EQ(runner.calls.size(), 1u) << "routes are not touched when the rules failed";
}

TEST(NftablesServiceProxyTest, RemoveDeletesTheTableAndAllItsRoutes) {
  ScriptedRunner runner;
  runner.route_json = R"([{"dst":"10.43.0.5","scope":"link","prefsrc":"10.42.0.1","metric":77},
                          {"dst":"10.43.0.8","scope":"link","prefsrc":"10.42.0.1","metric":5}])";
  auto proxy = Proxy(runner);
  EXPECT_TRUE(proxy->Remove().ok());
  EXPECT_EQ(runner.calls[0].input, "table ip moor {}\ndelete table ip moor\n");
  EXPECT_EQ(runner.Batch(), "route del 10.43.0.5/32 dev cni0 metric 77 table main\n");
}

// The conntrack calls among the runner's calls, each as one line.
std::vector<std::string> ConntrackCalls(const ScriptedRunner& runner) {
  std::vector<std::string> out;
  for (const auto& c : runner.calls) {
    if (c.argv[0] != "conntrack") continue;
    std::string line;
    for (const auto& a : c.argv) line += (line.empty() ? "" : " ") + a;
    out.push_back(line);
  }
  return out;
}

TEST(NftablesServiceProxyTest, LaterAppliesDeleteTheUdpFlowsTheirChangeMadeStale) {
  ScriptedRunner runner;
  auto proxy = Proxy(runner);
  ServiceTable two = Table({"10.43.0.5"});
  two.ports[0].protocol = "udp";
  two.ports[0].backends = {{"10.42.0.7", 53}, {"10.42.0.8", 53}};
  ServiceTable one = two;
  one.ports[0].backends = {{"10.42.0.8", 53}};
  ASSERT_TRUE(proxy->Apply(two).ok());
  EXPECT_THAT(ConntrackCalls(runner), ::testing::IsEmpty()) << "the first Apply knows no earlier table";
  ASSERT_TRUE(proxy->Apply(one).ok());
  EXPECT_THAT(ConntrackCalls(runner),
              ::testing::ElementsAre("conntrack -D -p udp --orig-dst 10.43.0.5 --orig-port-dst 80 --reply-src 10.42.0.7 "
                                     "--reply-port-src 53"));
}

TEST(NftablesServiceProxyTest, AFailedConntrackDeleteDoesNotFailApply) {
  ScriptedRunner runner;
  auto proxy = Proxy(runner);
  ServiceTable none = Table({"10.43.0.5"});
  none.ports[0].protocol = "udp";
  ServiceTable one = none;
  one.ports[0].backends = {{"10.42.0.7", 53}};
  ASSERT_TRUE(proxy->Apply(none).ok());
  runner.conntrack_exit = 1;  // and no "flow entries have been deleted" on stderr
  EXPECT_TRUE(proxy->Apply(one).ok());
  EXPECT_EQ(ConntrackCalls(runner).size(), 1u);
}

}  // namespace
}  // namespace moor::netproxy
