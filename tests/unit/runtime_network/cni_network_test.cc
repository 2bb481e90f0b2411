// CniNetwork against FakeHost: which programs it runs, with which CNI environment and stdin,
// what it remembers across objects, and how it undoes a failed Setup.
#include "cni_network_impl.h"

#include "argv_command.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_host.h"
#include "moor/common/files.h"
#include "moor/runtime/cni/config.h"
#include "moor/testing/temp_dir.h"

#define ASSERT_OK(expr)                          \
  do {                                           \
    const auto& assert_ok_ = (expr);             \
    ASSERT_TRUE(assert_ok_.ok()) << StatusOf(assert_ok_).ToString(); \
  } while (0)

namespace moor::runtime {
namespace {

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const StatusOr<T>& s) { return s.status(); }

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::FakeHost;

class CniNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* plugin : {"bridge", "host-local", "portmap"}) {
      std::string path = (dir_ / "cni").string() + "/" + plugin;
      moor::testing::WriteFile(path, "#!/bin/false\n");  // never run: FakeHost answers
      ::chmod(path.c_str(), 0755);
    }
    options_.name_prefix = "ut" + RandomHex(3);
    options_.bridge = options_.name_prefix + "br";
    options_.pod_subnet = "10.42.0.0/24";
    options_.state_dir = (dir_ / "state").string();
    options_.cni_bin_dir = (dir_ / "cni").string();
    options_.route_metric = 4711;
    options_.runner = &host_;
  }

  std::unique_ptr<CniNetwork> Network() {
    EXPECT_TRUE(cni::ValidateOptions(options_).ok());
    return std::make_unique<CniNetwork>(options_, &host_);
  }

  std::string Netns(const std::string& id) const { return "/var/run/netns/" + options_.name_prefix + "-" + id; }
  std::string ContainerId(const std::string& id) const { return options_.name_prefix + "-" + id; }

  moor::testing::TempDir dir_{"cni-unit"};
  FakeHost host_;
  CniNetworkOptions options_;
};

TEST_F(CniNetworkTest, InitAddsUnreachableRoutesThenWritesConflists) {
  auto net = Network();
  ASSERT_OK(net->Init());
  EXPECT_THAT(host_.Summaries(),
              ElementsAre("ip -4 -j route show exact 10.42.0.0/16 table main",
                          "ip -4 route add unreachable 10.42.0.0/16 metric 4711 table main",
                          "ip -4 -j route show exact 10.43.0.0/16 table main",
                          "ip -4 route add unreachable 10.43.0.0/16 metric 4711 table main",
                          "ip -4 -j route show exact 10.42.0.0/24 table main",
                          "nft -f -",  // no egress: its table is deleted if an earlier run made it
                          // no FORWARD accept: its rules are looked for, to delete them
                          "iptables -w 5 -C FORWARD -s 10.42.0.0/24 -m comment --comment moor " +
                              options_.name_prefix + " pods -j ACCEPT",
                          "iptables -w 5 -C FORWARD -d 10.42.0.0/24 -m comment --comment moor " +
                              options_.name_prefix + " pods -j ACCEPT"));
  EXPECT_TRUE(host_.Tables().empty());
  auto conflist = ReadFileLimited(cni::ConflistPath(options_), 1 << 20);
  ASSERT_OK(conflist);
  EXPECT_EQ(nlohmann::json::parse(*conflist), cni::BuildConflist(options_));

  // Again (daemon restart): the routes are there, nothing is added twice.
  host_.ClearCalls();
  ASSERT_OK(Network()->Init());
  for (const auto& s : host_.Summaries()) EXPECT_THAT(s, ::testing::Not(HasSubstr("route add"))) << s;
}

TEST_F(CniNetworkTest, ForwardAcceptRulesGoFirstOnceAndLeaveWithTheHostState) {
  const std::string comment = "-m comment --comment moor " + options_.name_prefix + " pods -j ACCEPT";
  options_.pod_forward_accept = true;
  ASSERT_OK(Network()->Init());
  ASSERT_OK(Network()->Init());  // a restart adds nothing twice
  EXPECT_THAT(host_.ForwardRules(), ElementsAre("-d 10.42.0.0/24 " + comment, "-s 10.42.0.0/24 " + comment));

  // iptables failing (its lock held too long) fails Init with what iptables said.
  host_.FailNext("iptables", CommandResult{4, false, "", "Another app is currently holding the xtables lock.\n"});
  Status s = Network()->Init();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("holding the xtables lock"));

  ASSERT_OK(RemoveCniHostState(options_));
  EXPECT_TRUE(host_.ForwardRules().empty());
  // Off, and iptables not installed: Init goes on (nothing of moor's can be in the way).
  options_.pod_forward_accept = false;
  host_.FailNext("iptables", CommandResult{127, false, "", "iptables: not found"});
  ASSERT_OK(Network()->Init());
}

TEST_F(CniNetworkTest, InitRefusesAForwardingRouteForTheClusterRange) {
  host_.AddRoute({{"dst", "10.42.0.0/16"}, {"gateway", "192.0.2.1"}, {"dev", "eth0"}});
  Status s = Network()->Init();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("10.42.0.0/16 via 192.0.2.1 dev eth0"));
  EXPECT_FALSE(std::filesystem::exists(cni::ConflistPath(options_)));
}

TEST_F(CniNetworkTest, InitRefusesAPodSubnetRoutedElsewhere) {
  host_.AddRoute({{"dst", "10.42.0.0/24"}, {"dev", "cni0"}, {"protocol", "kernel"}});
  Status s = Network()->Init();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("choose another pod_subnet"));
}

TEST_F(CniNetworkTest, InitNamesMissingPlugins) {
  std::filesystem::remove(dir_ / "cni" / "portmap");
  Status s = Network()->Init();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("/cni/portmap"));
  EXPECT_THAT(s.message(), HasSubstr("containernetworking-plugins"));
  EXPECT_TRUE(host_.Calls().empty()) << "no route is touched before the plugins are known to be there";
}

TEST_F(CniNetworkTest, SetupBeforeInitIsRefused) {
  EXPECT_EQ(Network()->Setup("abc", {}).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(host_.Calls().empty());
}

TEST_F(CniNetworkTest, SetupMakesTheNamespaceThenRunsTheChainWithPrevResultAndPortMappings) {
  auto net = Network();
  ASSERT_OK(net->Init());
  host_.ClearCalls();
  auto got = net->Setup("abc", {{8080, 80, "TCP", ""}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->ip, "10.42.0.2");
  EXPECT_EQ(got->gateway, "10.42.0.1");
  EXPECT_EQ(got->netns_path, Netns("abc"));

  auto calls = host_.Calls();
  std::vector<std::string> summaries;
  for (const auto& c : calls) summaries.push_back(c.Summary());
  EXPECT_THAT(summaries, ElementsAre("netns create " + Netns("abc") + " shared", "bridge ADD eth0", "portmap ADD eth0"));
  for (std::size_t i = 1; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].argv.front(), options_.cni_bin_dir + "/" + calls[i].Program());
    EXPECT_EQ(calls[i].env.at("CNI_CONTAINERID"), ContainerId("abc"));
    EXPECT_EQ(calls[i].env.at("CNI_NETNS"), Netns("abc"));
    EXPECT_EQ(calls[i].env.at("CNI_PATH"), options_.cni_bin_dir);
    EXPECT_EQ(calls[i].Stdin()["cniVersion"], "1.0.0");
  }
  nlohmann::json bridge_in = calls[1].Stdin();
  EXPECT_EQ(bridge_in["name"], options_.name_prefix);
  EXPECT_EQ(bridge_in["bridge"], options_.bridge);
  EXPECT_FALSE(bridge_in.contains("prevResult"));
  nlohmann::json portmap_in = calls[2].Stdin();
  EXPECT_EQ(portmap_in["prevResult"]["ips"][0]["address"], "10.42.0.2/24");
  EXPECT_EQ(portmap_in["runtimeConfig"]["portMappings"],
            nlohmann::json::parse(R"([{"hostPort":8080,"containerPort":80,"protocol":"tcp"}])"));

  // Idempotent: the same network, nothing run.
  host_.ClearCalls();
  auto again = net->Setup("abc", {{8080, 80, "TCP", ""}});
  ASSERT_OK(again);
  EXPECT_EQ(again->ip, "10.42.0.2");
  EXPECT_TRUE(host_.Calls().empty());
  EXPECT_THAT(*net->List(), ElementsAre("abc"));
}

TEST_F(CniNetworkTest, ANewObjectInspectsAndTearsDownWithTheSavedResult) {
  {
    auto first = Network();
    ASSERT_OK(first->Init());
    ASSERT_OK(first->Setup("abc", {{8080, 80, "tcp", ""}}));
  }
  auto second = Network();  // daemon restart: no Init needed for Inspect / Teardown / List
  EXPECT_THAT(*second->List(), ElementsAre("abc"));
  auto seen = second->Inspect("abc");
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->ip, "10.42.0.2");

  host_.ClearCalls();
  ASSERT_OK(second->Teardown("abc"));
  auto calls = host_.Calls();
  std::vector<std::string> summaries;
  for (const auto& c : calls) summaries.push_back(c.Summary());
  EXPECT_THAT(summaries, ElementsAre("portmap DEL eth0", "bridge DEL eth0", "netns remove " + Netns("abc")));
  // DEL gets the ADD result as prevResult and the same port mappings.
  EXPECT_EQ(calls[0].Stdin()["prevResult"]["ips"][0]["address"], "10.42.0.2/24");
  EXPECT_EQ(calls[0].Stdin()["runtimeConfig"]["portMappings"][0]["hostPort"], 8080);
  EXPECT_EQ(calls[1].Stdin()["prevResult"]["ips"][0]["address"], "10.42.0.2/24");
  EXPECT_EQ(calls[0].env.at("CNI_NETNS"), Netns("abc"));

  EXPECT_TRUE(second->List()->empty());
  EXPECT_EQ(second->Inspect("abc").status().code(), StatusCode::kNotFound);
  host_.ClearCalls();
  EXPECT_TRUE(second->Teardown("abc").ok()) << "tearing down a missing sandbox succeeds";
  EXPECT_TRUE(host_.Calls().empty());
}

TEST_F(CniNetworkTest, TeardownOfAGoneNamespacePassesAnEmptyNetns) {
  auto net = Network();
  ASSERT_OK(net->Init());
  ASSERT_OK(net->Setup("abc", {}));
  ASSERT_OK(host_.Remove(Netns("abc")));  // someone removed it
  EXPECT_EQ(net->Inspect("abc").status().code(), StatusCode::kNotFound);
  host_.ClearCalls();
  ASSERT_OK(net->Teardown("abc"));
  auto calls = host_.Calls();
  std::vector<std::string> summaries;
  for (const auto& c : calls) summaries.push_back(c.Summary());
  // bridge DEL (no portmap without ports) with no namespace; the file is removed in case it is there.
  EXPECT_THAT(summaries, ElementsAre("bridge DEL eth0", "netns remove " + Netns("abc")));
  EXPECT_EQ(calls[0].env.at("CNI_NETNS"), "");
  EXPECT_TRUE(net->List()->empty());
}

TEST_F(CniNetworkTest, PortmapRunsOnlyForSandboxesWithPorts) {
  auto net = Network();
  ASSERT_OK(net->Init());
  auto plugins_run = [&] {
    std::vector<std::string> types;
    for (const auto& c : host_.Calls()) {
      if (c.env.count("CNI_COMMAND")) types.push_back(c.Stdin().value("type", ""));
    }
    return types;
  };
  host_.ClearCalls();
  ASSERT_OK(net->Setup("noports", {}));
  EXPECT_EQ(plugins_run(), (std::vector<std::string>{"bridge"}));
  host_.ClearCalls();
  ASSERT_OK(net->Teardown("noports"));
  EXPECT_EQ(plugins_run(), (std::vector<std::string>{"bridge"}));
  host_.ClearCalls();
  PortMapping web;
  web.host_port = 8080;
  web.container_port = 80;
  ASSERT_OK(net->Setup("ports", {web}));
  EXPECT_EQ(plugins_run(), (std::vector<std::string>{"bridge", "portmap"}));
}

TEST_F(CniNetworkTest, AFailureMidwayIsUndoneAndReported) {
  auto net = Network();
  ASSERT_OK(net->Init());
  CommandResult failure;
  failure.exit_code = 1;
  failure.out = R"({"cniVersion":"1.0.0","code":999,"msg":"could not add DNAT rule","details":"iptables: exit 4"})";
  host_.FailNext("portmap", failure);
  host_.ClearCalls();

  auto got = net->Setup("abc", {{8080, 80, "tcp", ""}});
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(got.status().message(), HasSubstr("CNI portmap ADD"));
  EXPECT_THAT(got.status().message(), HasSubstr("could not add DNAT rule: iptables: exit 4"));
  EXPECT_THAT(host_.Summaries(),
              ElementsAre("netns create " + Netns("abc") + " shared", "bridge ADD eth0", "portmap ADD eth0",
                          "portmap DEL eth0", "bridge DEL eth0", "netns remove " + Netns("abc")));
  EXPECT_TRUE(net->List()->empty());
  EXPECT_TRUE(host_.Netns().empty());

  // The next attempt starts from scratch and works.
  auto retried = net->Setup("abc", {{8080, 80, "tcp", ""}});
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
}

TEST_F(CniNetworkTest, AFailedUndoKeepsTheRecordForTeardown) {
  auto net = Network();
  ASSERT_OK(net->Init());
  CommandResult failure;
  failure.exit_code = 1;
  failure.out = R"({"code":11,"msg":"busy"})";
  host_.FailNext("bridge", failure);  // the ADD
  host_.FailNext("bridge", failure);  // the undo's DEL
  auto got = net->Setup("abc", {});
  EXPECT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("undo failed too"));
  EXPECT_THAT(*net->List(), ElementsAre("abc"));
  EXPECT_EQ(net->Inspect("abc").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(net->Teardown("abc").ok());
  EXPECT_TRUE(net->List()->empty());
}

TEST_F(CniNetworkTest, ALeftoverRecordFromACrashIsCleanedBeforeSetup) {
  auto net = Network();
  ASSERT_OK(net->Init());
  // A crash after the namespace was made: a not-ready record and a namespace.
  moor::testing::WriteFile(options_.state_dir + "/sandboxes/abc.json",
                           R"({"id":"abc","containerID":")" + ContainerId("abc") + R"(","ready":false})");
  ASSERT_OK(host_.Create(Netns("abc"), false));
  EXPECT_EQ(net->Inspect("abc").status().code(), StatusCode::kNotFound);
  host_.ClearCalls();
  auto got = net->Setup("abc", {});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto summaries = host_.Summaries();
  ASSERT_GE(summaries.size(), 4u);
  EXPECT_EQ(summaries[0], "portmap DEL eth0");
  EXPECT_EQ(summaries[2], "netns remove " + Netns("abc"));
  EXPECT_EQ(summaries[3], "netns create " + Netns("abc") + " shared");
}

TEST_F(CniNetworkTest, RejectsBadIdsAndPorts) {
  auto net = Network();
  ASSERT_OK(net->Init());
  EXPECT_EQ(net->Setup("../etc", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(net->Setup("abc", {{0, 80, "tcp", ""}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(net->Inspect("a/b").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(net->Teardown("").code(), StatusCode::kInvalidArgument);
}

TEST_F(CniNetworkTest, OnlyIproute2sNetnsDirIsMadeAShareMount) {
  options_.netns_dir = (dir_ / "netns").string();
  auto net = Network();
  ASSERT_OK(net->Init());
  host_.ClearCalls();
  auto got = net->Setup("abc", {});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  std::string path = options_.netns_dir + "/" + ContainerId("abc");
  EXPECT_EQ(got->netns_path, path);
  EXPECT_EQ(host_.Summaries().front(), "netns create " + path);
  ASSERT_OK(net->Teardown("abc"));
  EXPECT_EQ(host_.Summaries().back(), "netns remove " + path);
}

TEST_F(CniNetworkTest, ConcurrentSetupsAndTeardowns) {
  auto net = Network();
  ASSERT_OK(net->Init());
  constexpr int kSandboxes = 16;
  std::vector<std::thread> threads;
  std::vector<std::string> ips(kSandboxes);
  for (int i = 0; i < kSandboxes; ++i) {
    threads.emplace_back([&, i] {
      auto got = net->Setup("s" + std::to_string(i), {{9000 + i, 80, "tcp", ""}});
      if (got.ok()) ips[i] = got->ip;
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> distinct(ips.begin(), ips.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kSandboxes));
  EXPECT_EQ(distinct.count(""), 0u);
  EXPECT_EQ(net->List()->size(), static_cast<std::size_t>(kSandboxes));
  threads.clear();
  for (int i = 0; i < kSandboxes; ++i) {
    threads.emplace_back([&, i] { EXPECT_TRUE(net->Teardown("s" + std::to_string(i)).ok()); });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(net->List()->empty());
  EXPECT_TRUE(host_.Netns().empty());
}

TEST_F(CniNetworkTest, RemoveHostStateRemovesOnlyTheRoutesInitAdded) {
  // Another user's identical service route is already there; the cluster route is ours.
  host_.AddRoute({{"type", "unreachable"}, {"dst", "10.43.0.0/16"}, {"metric", 4711}});
  auto net = Network();
  ASSERT_OK(net->Init());
  ASSERT_OK(net->Setup("abc", {}));
  ASSERT_OK(net->RemoveHostState());
  EXPECT_TRUE(net->List()->empty());
  EXPECT_TRUE(host_.Netns().empty());
  EXPECT_EQ(host_.Routes(),
            nlohmann::json::parse(R"([{"type":"unreachable","dst":"10.43.0.0/16","metric":4711}])"));
  EXPECT_FALSE(std::filesystem::exists(options_.state_dir + "/routes-added.json"));
}

TEST_F(CniNetworkTest, EgressGivesPodsADefaultRouteAndOneMasqueradeRuleAndGoesWhenTurnedOff) {
  options_.pod_egress = true;
  auto net = Network();
  ASSERT_OK(net->Init());
  const std::string table = options_.name_prefix + "-egress";
  auto tables = host_.Tables();
  ASSERT_EQ(tables.count(table), 1u);
  EXPECT_THAT(tables[table], HasSubstr("type nat hook postrouting priority srcnat"));
  EXPECT_THAT(tables[table], HasSubstr("ip saddr 10.42.0.0/24 ip daddr != { 10.42.0.0/16, 10.43.0.0/16 } oifname != \"" +
                                       options_.bridge + "\" masquerade"));
  nlohmann::json routes = cni::BuildConflist(options_)["plugins"][0]["ipam"]["routes"];
  EXPECT_EQ(routes, nlohmann::json::parse(R"([{"dst":"0.0.0.0/0"}])"));

  options_.pod_egress = false;  // the next start without egress removes the table
  ASSERT_OK(Network()->Init());
  EXPECT_TRUE(host_.Tables().empty());
  EXPECT_EQ(cni::BuildConflist(options_)["plugins"][0]["ipam"]["routes"],
            nlohmann::json::parse(R"([{"dst":"10.42.0.0/16"},{"dst":"10.43.0.0/16"}])"));

  options_.pod_egress = true;
  ASSERT_OK(Network()->Init());
  ASSERT_OK(Network()->RemoveHostState());
  EXPECT_TRUE(host_.Tables().empty()) << "clean-up removes the egress table";
}

}  // namespace
}  // namespace moor::runtime
