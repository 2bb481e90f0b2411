// The FORWARD accept rules (runtime/network/src/forward_accept.h) against the real iptables, in
// a router namespace whose FORWARD chain drops everything as Docker's does: a client namespace
// (the "pods", 198.18.x.0/29) reaches a server namespace through the router only while the rules
// are there.
//
// Network safety: three namespaces of this test, joined by veths; the addresses are a random
// 198.18.x.0/28 of the benchmarking range that exists only inside them. The host's own iptables
// are never touched (every iptables call runs in the router namespace). The namespaces go in
// TearDown, also when a test fails.
#include <gtest/gtest.h>

#include <random>

#include "forward_accept.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

using moor::testing::ChildProcess;
using moor::testing::RunCommand;

constexpr const char* kBusybox = "/bin/busybox";

// Runs every command inside one network namespace (`ip netns exec`).
class NetnsRunner final : public CommandRunner {
 public:
  explicit NetnsRunner(std::string netns) : netns_(std::move(netns)) {}
  StatusOr<CommandResult> Run(const CommandSpec& spec) override {
    CommandSpec inside = spec;
    inside.argv = {"ip", "netns", "exec", netns_};
    inside.argv.insert(inside.argv.end(), spec.argv.begin(), spec.argv.end());
    return SystemCommandRunner().Run(inside);
  }

 private:
  std::string netns_;
};

class ForwardAcceptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"/usr/sbin/iptables", kBusybox}) {
      ASSERT_TRUE(std::filesystem::exists(tool)) << tool << " is needed (apt-get install iptables busybox-static)";
    }
    ASSERT_EQ(::geteuid(), 0u) << "these tests need root (network namespaces, iptables)";
    std::random_device random;
    prefix_ = "mfw" + std::to_string(random() % 100000);
    net_ = "198.18." + std::to_string(random() % 250) + ".";
    router_ = prefix_ + "-r";
    client_ = prefix_ + "-c";
    server_ = prefix_ + "-s";
    // client .2/29 -- .1 router .9 -- .10/29 server
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "netns", "add", router_},
             {"ip", "netns", "add", client_},
             {"ip", "netns", "add", server_},
             {"ip", "-n", router_, "link", "add", "toc", "type", "veth", "peer", "name", "eth0", "netns", client_},
             {"ip", "-n", router_, "link", "add", "tos", "type", "veth", "peer", "name", "eth0", "netns", server_},
             {"ip", "-n", router_, "addr", "add", net_ + "1/29", "dev", "toc"},
             {"ip", "-n", router_, "addr", "add", net_ + "9/29", "dev", "tos"},
             {"ip", "-n", router_, "link", "set", "toc", "up"},
             {"ip", "-n", router_, "link", "set", "tos", "up"},
             {"ip", "-n", client_, "addr", "add", net_ + "2/29", "dev", "eth0"},
             {"ip", "-n", client_, "link", "set", "eth0", "up"},
             {"ip", "-n", client_, "route", "add", "default", "via", net_ + "1"},
             {"ip", "-n", server_, "addr", "add", net_ + "10/29", "dev", "eth0"},
             {"ip", "-n", server_, "link", "set", "eth0", "up"},
             {"ip", "-n", server_, "route", "add", "default", "via", net_ + "9"},
             {"ip", "netns", "exec", router_, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"},
             // As on a Docker host: forwarded packets are dropped unless a rule accepts them.
             {"ip", "netns", "exec", router_, "iptables", "-w", "5", "-P", "FORWARD", "DROP"},
             {"ip", "netns", "exec", router_, "iptables", "-w", "5", "-A", "FORWARD", "-j", "DROP"}}) {
      auto r = RunCommand(argv);
      ASSERT_EQ(r.exit_code, 0) << ::testing::PrintToString(argv) << ": " << r.err;
    }
  }

  void TearDown() override {
    for (const std::string& ns : {router_, client_, server_}) {
      if (!ns.empty()) RunCommand({"ip", "netns", "delete", ns});
    }
  }

  // True if the client gets the server's answer through the router.
  bool ClientReachesServer() {
    auto r = RunCommand({"ip", "netns", "exec", client_, kBusybox, "nc", "-w", "2", net_ + "10", "8080"}, {}, "",
                        std::chrono::seconds(5));
    return r.out == "server\n";
  }

  std::string RouterForwardChain() {
    return RunCommand({"ip", "netns", "exec", router_, "iptables", "-w", "5", "-S", "FORWARD"}).out;
  }

  moor::testing::TempDir dir_{"fwd"};
  std::string prefix_, net_, router_, client_, server_;
};

TEST_F(ForwardAcceptTest, PodTrafficPassesAFirewallThatDropsForwardingOnlyWithTheRules) {
  ChildProcess server({"ip", "netns", "exec", server_, kBusybox, "nc", "-ll", "-p", "8080", "-e", kBusybox, "echo",
                       "server"},
                      (dir_.path() / "server.log").string());
  // Both directions are needed: the requests come from the pod subnet, the answers go to it.
  ForwardAcceptRule rule{"moor " + prefix_ + " pods", net_ + "0/29"};
  NetnsRunner router(router_);
  // The router reaches the server directly (its own traffic does not pass FORWARD).
  ASSERT_TRUE(moor::testing::WaitFor([&] {
    return RunCommand({"ip", "netns", "exec", router_, kBusybox, "nc", "-w", "2", net_ + "10", "8080"}).out ==
           "server\n";
  }));
  EXPECT_FALSE(ClientReachesServer()) << "the router's FORWARD chain should drop it";

  ASSERT_TRUE(EnsureForwardAccept(router, rule).ok());
  ASSERT_TRUE(EnsureForwardAccept(router, rule).ok());  // a restart adds nothing twice
  EXPECT_TRUE(ClientReachesServer());
  std::string chain = RouterForwardChain();
  EXPECT_NE(chain.find("-A FORWARD -s " + net_ + "0/29 -m comment --comment \"" + rule.comment + "\" -j ACCEPT"),
            std::string::npos)
      << chain;
  EXPECT_LT(chain.find(rule.comment), chain.find("-A FORWARD -j DROP")) << "the rules go before the drop:\n" << chain;
  size_t copies = 0;
  for (size_t at = chain.find(rule.comment); at != std::string::npos; at = chain.find(rule.comment, at + 1)) ++copies;
  EXPECT_EQ(copies, 2u) << chain;

  ASSERT_TRUE(RemoveForwardAccept(router, rule).ok());
  EXPECT_EQ(RouterForwardChain().find(rule.comment), std::string::npos);
  EXPECT_FALSE(ClientReachesServer());
  EXPECT_TRUE(RemoveForwardAccept(router, rule).ok()) << "removing what is not there succeeds";
}

}  // namespace
}  // namespace moor::runtime
