// CniNetwork on the real host: namespaces, bridge, veths, host-local leases and portmap rules.
//
// Network safety: Init() installs the unreachable routes for 10.42.0.0/16 and 10.43.0.0/16
// (with a metric of this test's own) before any sandbox exists, and traffic only goes to
// 127.0.0.1, to this test's bridge and to its namespaces (the egress test's "outside" network
// is a namespace of its own on a veth with a /30 of 198.18.0.0/15). Everything is named after a random
// per-test prefix and removed in TearDown, also when a test fails.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "moor/common/files.h"
#include "moor/common/ipv4_cidr.h"
#include "moor/runtime/cni_network.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

using moor::testing::ChildProcess;
using moor::testing::RunCommand;
using moor::testing::WaitFor;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kCniDir = "/usr/lib/cni";
constexpr const char* kBusybox = "/bin/busybox";

nlohmann::json IpJson(const std::vector<std::string>& argv) {
  auto r = RunCommand(argv);
  if (r.exit_code != 0) return nlohmann::json::array();
  return nlohmann::json::parse(r.out.empty() ? "[]" : r.out, nullptr, false);
}

// What this machine lacks for these tests, or "".
std::string MissingPrerequisites() {
  std::string missing;
  if (::geteuid() != 0) missing += " root (run the integration tests as root);";
  for (const char* plugin : {"bridge", "host-local", "portmap"}) {
    std::string path = std::string(kCniDir) + "/" + plugin;
    if (::access(path.c_str(), X_OK) != 0) missing += " " + path + " (apt-get install containernetworking-plugins);";
  }
  if (::access(kBusybox, X_OK) != 0) missing += " /bin/busybox (apt-get install busybox-static);";
  if (RunCommand({"ip", "-V"}).exit_code != 0) missing += " ip (apt-get install iproute2);";
  if (RunCommand({"iptables", "--version"}).exit_code != 0) missing += " iptables (apt-get install iptables);";
  if (RunCommand({"nft", "--version"}).exit_code != 0) missing += " nft (apt-get install nftables);";
  return missing;
}

class CniNetworkIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = MissingPrerequisites();
    ASSERT_TRUE(missing.empty()) << "the CNI integration tests need:" << missing;
    std::random_device rd;
    std::mt19937 rng(rd());
    options_.name_prefix = "mt" + RandomHex(3);
    options_.bridge = options_.name_prefix + "br";
    options_.state_dir = state_.path().string();
    options_.route_metric = std::uniform_int_distribution<int>(30000, 60000)(rng);
    // A /24 in 10.42.200-250.x that nothing on this host routes or uses yet.
    for (int attempt = 0; attempt < 50 && options_.pod_subnet == "10.42.0.0/24"; ++attempt) {
      std::string subnet = "10.42." + std::to_string(std::uniform_int_distribution<int>(200, 250)(rng)) + ".0/24";
      if (IpJson({"ip", "-4", "-j", "route", "show", "root", subnet}).empty() &&
          IpJson({"ip", "-4", "-j", "addr", "show", "to", subnet}).empty()) {
        options_.pod_subnet = subnet;
      }
    }
    ASSERT_NE(options_.pod_subnet, "10.42.0.0/24") << "no free /24 in 10.42.200.0-10.42.250.0";
    armed_ = true;
  }

  void TearDown() override {
    for (const std::string& ns : extra_netns_) RunCommand({"ip", "netns", "delete", ns});  // takes its veths along
    if (!armed_) return;
    Status removed = RemoveCniHostState(options_);
    EXPECT_TRUE(removed.ok()) << removed.ToString();
    // Belt and braces: whatever is left with our names goes, and the test fails.
    auto netns = RunCommand({"ip", "netns", "list"});
    std::istringstream lines(netns.out);
    for (std::string line; std::getline(lines, line);) {
      std::string name = line.substr(0, line.find(' '));
      if (name.rfind(options_.name_prefix + "-", 0) == 0) {
        ADD_FAILURE() << "netns " << name << " was left behind";
        RunCommand({"ip", "netns", "delete", name});
      }
    }
    if (std::filesystem::exists("/sys/class/net/" + options_.bridge)) {
      ADD_FAILURE() << "bridge " << options_.bridge << " was left behind";
      RunCommand({"ip", "link", "delete", options_.bridge});
    }
    for (const char* cidr : {"10.42.0.0/16", "10.43.0.0/16"}) {
      for (const auto& r : IpJson({"ip", "-4", "-j", "route", "show", "exact", cidr})) {
        if (r.value("metric", 0) == options_.route_metric) {
          ADD_FAILURE() << "route to " << cidr << " metric " << options_.route_metric << " was left behind";
          RunCommand({"ip", "route", "del", "unreachable", cidr, "metric", std::to_string(options_.route_metric)});
        }
      }
    }
    EXPECT_THAT(NatRules(), Not(HasSubstr(options_.name_prefix))) << "portmap rules of our sandboxes were left";
    EXPECT_NE(RunCommand({"nft", "list", "table", "ip", options_.name_prefix + "-egress"}).exit_code, 0)
        << "the egress table was left";
  }

  std::unique_ptr<PodNetwork> Network() {
    auto net = CreateCniNetwork(options_);
    EXPECT_TRUE(net.ok()) << net.status().ToString();
    return net.ok() ? std::move(net).value() : nullptr;
  }

  std::string NetnsName(const std::string& id) const { return options_.name_prefix + "-" + id; }

  static std::string NatRules() { return RunCommand({"iptables", "-t", "nat", "-S"}).out; }

  // Interfaces attached to our bridge (one host veth per sandbox).
  std::size_t BridgePorts() const {
    return IpJson({"ip", "-j", "link", "show", "master", options_.bridge}).size();
  }

  bool LeaseExists(const std::string& ip) const {
    return std::filesystem::exists(options_.state_dir + "/ipam/" + options_.name_prefix + "/" + ip);
  }

  // A server in the sandbox's namespace that answers every TCP connection on `port` with
  // `token` (busybox nc -ll -e echo).
  std::unique_ptr<ChildProcess> Answer(const std::string& id, int port, const std::string& token) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{"ip", "netns", "exec", NetnsName(id), kBusybox, "nc", "-ll", "-p",
                                 std::to_string(port), "-e", kBusybox, "echo", token},
        (state_.path() / ("server-" + id + "-" + std::to_string(port) + ".log")).string());
  }

  // Connects to ip:port (from the host, or from inside sandbox `from`) until it reads `token`.
  bool Reaches(const std::string& from, const std::string& ip, int port, const std::string& token) {
    std::vector<std::string> argv;
    if (!from.empty()) argv = {"ip", "netns", "exec", NetnsName(from)};
    for (const std::string& a : {std::string(kBusybox), std::string("nc"), std::string("-w"), std::string("3"), ip,
                                 std::to_string(port)}) {
      argv.push_back(a);
    }
    std::string last;
    bool ok = WaitFor([&] {
      auto r = RunCommand(argv, {}, "", std::chrono::seconds(5));
      last = r.out + r.err;
      return r.exit_code == 0 && r.out == token + "\n";
    }, std::chrono::seconds(15));
    if (!ok) ADD_FAILURE() << "connecting to " << ip << ":" << port << (from.empty() ? "" : " from " + from)
                           << " did not answer " << token << "; last: " << last;
    return ok;
  }

  moor::testing::TempDir state_{"cni-integ"};
  std::vector<std::string> extra_netns_;  // deleted first in TearDown
  CniNetworkOptions options_;
  bool armed_ = false;
};

TEST_F(CniNetworkIntegrationTest, SandboxesReachEachOtherTheHostAndHostPorts) {
  auto net = Network();
  ASSERT_NE(net, nullptr);
  ASSERT_TRUE(net->Init().ok());
  // The safety routes are in place before any sandbox exists.
  for (const char* cidr : {"10.42.0.0/16", "10.43.0.0/16"}) {
    bool found = false;
    for (const auto& r : IpJson({"ip", "-4", "-j", "route", "show", "exact", cidr})) {
      found |= r.value("type", "") == "unreachable" && r.value("metric", 0) == options_.route_metric;
    }
    EXPECT_TRUE(found) << "no unreachable route for " << cidr;
  }

  const int host_port = moor::testing::FreeLoopbackPort();
  auto a = net->Setup("a", {{host_port, 8080, "TCP", ""}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = net->Setup("b", {});
  ASSERT_TRUE(b.ok()) << b.status().ToString();

  auto subnet = Ipv4Cidr::Parse(options_.pod_subnet);
  ASSERT_TRUE(subnet.ok());
  for (const SandboxNetwork* s : {&*a, &*b}) {
    auto ip = ParseIpv4Address(s->ip);
    ASSERT_TRUE(ip.ok()) << s->ip;
    EXPECT_TRUE(subnet->ContainsAddress(*ip)) << s->ip << " not in " << options_.pod_subnet;
    EXPECT_EQ(s->gateway, options_.pod_subnet.substr(0, options_.pod_subnet.rfind('.')) + ".1");
    EXPECT_TRUE(std::filesystem::exists(s->netns_path)) << s->netns_path;
    EXPECT_TRUE(LeaseExists(s->ip));
  }
  EXPECT_NE(a->ip, b->ip);
  EXPECT_EQ(a->netns_path, "/var/run/netns/" + NetnsName("a"));
  for (const std::string id : {"a", "b"}) {
    auto links = IpJson({"ip", "netns", "exec", NetnsName(id), "ip", "-j", "link", "show", "eth0"});
    ASSERT_EQ(links.size(), 1u) << "no eth0 in " << id;
    EXPECT_EQ(links[0].value("operstate", ""), "UP") << links.dump();
    auto lo = IpJson({"ip", "netns", "exec", NetnsName(id), "ip", "-j", "link", "show", "lo"});
    ASSERT_EQ(lo.size(), 1u);
    EXPECT_THAT(lo[0]["flags"].dump(), HasSubstr("\"UP\"")) << "lo is down in " << id;
  }
  EXPECT_EQ(BridgePorts(), 2u);

  // Idempotent: the same network again.
  auto a_again = net->Setup("a", {{host_port, 8080, "TCP", ""}});
  ASSERT_TRUE(a_again.ok());
  EXPECT_EQ(a_again->ip, a->ip);
  EXPECT_EQ(BridgePorts(), 2u);

  {
    auto server_a = Answer("a", 8080, "sandbox-a");
    auto server_b = Answer("b", 8080, "sandbox-b");
    EXPECT_TRUE(Reaches("b", a->ip, 8080, "sandbox-a"));        // pod to pod over the bridge
    EXPECT_TRUE(Reaches("a", b->ip, 8080, "sandbox-b"));
    EXPECT_TRUE(Reaches("", a->ip, 8080, "sandbox-a"));         // host to pod
    EXPECT_TRUE(Reaches("", "127.0.0.1", host_port, "sandbox-a"));  // hostPort on localhost (route_localnet)
    EXPECT_TRUE(Reaches("", a->gateway, host_port, "sandbox-a"));   // hostPort on the bridge address
    EXPECT_TRUE(Reaches("b", a->gateway, host_port, "sandbox-a"));  // hostPort from another pod (SNAT)
    EXPECT_TRUE(Reaches("a", a->gateway, host_port, "sandbox-a"));  // hostPort back to itself (hairpin)
  }
  EXPECT_THAT(NatRules(), HasSubstr(NetnsName("a")));

  ASSERT_TRUE(net->Teardown("a").ok());
  EXPECT_FALSE(std::filesystem::exists(a->netns_path));
  EXPECT_FALSE(LeaseExists(a->ip));
  EXPECT_EQ(BridgePorts(), 1u) << "a's veth is gone, b's stays";
  EXPECT_THAT(NatRules(), Not(HasSubstr(NetnsName("a"))));
  EXPECT_EQ(net->Inspect("a").status().code(), StatusCode::kNotFound);
  auto listed = net->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, std::vector<std::string>{"b"});
  EXPECT_TRUE(net->Teardown("a").ok()) << "a second Teardown is a no-op";
}

// Another network, as seen from the pods: a namespace on a veth from the host with
// 198.18.<x>.0/30, and no route back to the pod range — so only masqueraded traffic gets answers.
TEST_F(CniNetworkIntegrationTest, WithEgressPodsReachOtherNetworksMasqueradedWithoutItTheyDoNot) {
  const std::string outside = options_.name_prefix + "-out", veth = options_.name_prefix + "o";
  const std::string net = "198.18." + std::to_string(std::random_device{}() % 250) + ".";
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"ip", "netns", "add", outside},
           {"ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", outside},
           {"ip", "addr", "add", net + "1/30", "dev", veth},
           {"ip", "link", "set", veth, "up"},
           {"ip", "-n", outside, "addr", "add", net + "2/30", "dev", "eth0"},
           {"ip", "-n", outside, "link", "set", "eth0", "up"}}) {
    if (argv[2] == "add" && argv[1] == "netns") extra_netns_.push_back(outside);
    auto r = RunCommand(argv);
    ASSERT_EQ(r.exit_code, 0) << ::testing::PrintToString(argv) << ": " << r.err;
  }
  ChildProcess server({"ip", "netns", "exec", outside, kBusybox, "nc", "-ll", "-p", "8080", "-e", kBusybox, "echo",
                       "outside"},
                      (state_.path() / "outside.log").string());

  options_.pod_egress = true;
  auto with = Network();
  ASSERT_NE(with, nullptr);
  ASSERT_TRUE(with->Init().ok());
  EXPECT_EQ(RunCommand({"nft", "list", "table", "ip", options_.name_prefix + "-egress"}).exit_code, 0);
  ASSERT_TRUE(with->Setup("e", {}).ok());
  EXPECT_TRUE(Reaches("e", net + "2", 8080, "outside"));

  // Off (the next start): the table goes, and a new pod has no route out.
  options_.pod_egress = false;
  auto without = Network();
  ASSERT_NE(without, nullptr);
  ASSERT_TRUE(without->Init().ok());
  EXPECT_NE(RunCommand({"nft", "list", "table", "ip", options_.name_prefix + "-egress"}).exit_code, 0);
  ASSERT_TRUE(without->Setup("f", {}).ok());
  auto r = RunCommand({"ip", "netns", "exec", NetnsName("f"), kBusybox, "nc", "-w", "2", net + "2", "8080"}, {}, "",
                      std::chrono::seconds(5));
  EXPECT_NE(r.out, "outside\n") << "a pod without egress reached another network";
  ASSERT_TRUE(without->Teardown("e").ok());
  ASSERT_TRUE(without->Teardown("f").ok());
}

TEST_F(CniNetworkIntegrationTest, ANewObjectOnTheSameStateDirInspectsAndTearsDown) {
  const int host_port = moor::testing::FreeLoopbackPort();
  SandboxNetwork before;
  {
    auto first = Network();
    ASSERT_NE(first, nullptr);
    ASSERT_TRUE(first->Init().ok());
    auto set_up = first->Setup("c", {{host_port, 8080, "tcp", ""}});
    ASSERT_TRUE(set_up.ok()) << set_up.status().ToString();
    before = *set_up;
  }
  auto second = Network();  // the daemon restarted
  ASSERT_NE(second, nullptr);
  auto listed = second->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, std::vector<std::string>{"c"});
  auto seen = second->Inspect("c");
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->ip, before.ip);
  EXPECT_EQ(seen->gateway, before.gateway);
  EXPECT_EQ(seen->netns_path, before.netns_path);
  {
    auto server = Answer("c", 8080, "sandbox-c");
    EXPECT_TRUE(Reaches("", "127.0.0.1", host_port, "sandbox-c"));
  }
  ASSERT_TRUE(second->Teardown("c").ok());
  EXPECT_FALSE(std::filesystem::exists(before.netns_path));
  EXPECT_FALSE(LeaseExists(before.ip));
  EXPECT_EQ(BridgePorts(), 0u);
  EXPECT_THAT(NatRules(), Not(HasSubstr(NetnsName("c"))));
}

TEST_F(CniNetworkIntegrationTest, TeardownAfterTheNamespaceVanishedReleasesLeaseAndRules) {
  auto net = Network();
  ASSERT_NE(net, nullptr);
  ASSERT_TRUE(net->Init().ok());
  auto e = net->Setup("e", {{moor::testing::FreeLoopbackPort(), 8080, "tcp", ""}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(RunCommand({"ip", "netns", "delete", NetnsName("e")}).exit_code, 0);  // e.g. a host reboot
  EXPECT_EQ(net->Inspect("e").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(LeaseExists(e->ip));
  EXPECT_THAT(NatRules(), HasSubstr(NetnsName("e")));

  ASSERT_TRUE(net->Teardown("e").ok());  // DEL with an empty CNI_NETNS
  EXPECT_FALSE(LeaseExists(e->ip));
  EXPECT_THAT(NatRules(), Not(HasSubstr(NetnsName("e"))));
  EXPECT_TRUE(net->List()->empty());

  // Setup of the same id afterwards works from scratch.
  auto again = net->Setup("e", {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(again->netns_path));
}

TEST_F(CniNetworkIntegrationTest, ConcurrentSetupsGetDistinctAddresses) {
  auto net = Network();
  ASSERT_NE(net, nullptr);
  ASSERT_TRUE(net->Init().ok());
  constexpr int kSandboxes = 6;
  std::vector<std::thread> threads;
  std::vector<StatusOr<SandboxNetwork>> results(kSandboxes, StatusOr<SandboxNetwork>(InternalError("not run")));
  for (int i = 0; i < kSandboxes; ++i) {
    threads.emplace_back([&, i] { results[i] = net->Setup("p" + std::to_string(i), {}); });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ips;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ips.insert(r->ip);
  }
  EXPECT_EQ(ips.size(), static_cast<std::size_t>(kSandboxes));
  EXPECT_EQ(BridgePorts(), static_cast<std::size_t>(kSandboxes));
  threads.clear();
  std::vector<Status> torn(kSandboxes);
  for (int i = 0; i < kSandboxes; ++i) {
    threads.emplace_back([&, i] { torn[i] = net->Teardown("p" + std::to_string(i)); });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : torn) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(BridgePorts(), 0u);
  for (const auto& ip : ips) EXPECT_FALSE(LeaseExists(ip)) << ip;
}

TEST_F(CniNetworkIntegrationTest, AFailingPluginIsUndone) {
  // The real plugins, except a portmap whose ADD fails as a plugin would.
  std::string bin = (state_.path() / "cni-bin").string();
  std::filesystem::create_directories(bin);
  for (const char* plugin : {"bridge", "host-local"}) {
    std::filesystem::create_symlink(std::string(kCniDir) + "/" + plugin, bin + "/" + plugin);
  }
  moor::testing::WriteFile(bin + "/portmap",
                           "#!/bin/sh\n"
                           "if [ \"$CNI_COMMAND\" = ADD ]; then\n"
                           "  echo '{\"cniVersion\":\"1.0.0\",\"code\":999,\"msg\":\"injected portmap failure\"}'\n"
                           "  exit 1\n"
                           "fi\n"
                           "exec " + std::string(kCniDir) + "/portmap\n");
  ::chmod((bin + "/portmap").c_str(), 0755);
  options_.cni_bin_dir = bin;

  auto net = Network();
  ASSERT_NE(net, nullptr);
  ASSERT_TRUE(net->Init().ok());
  auto failed = net->Setup("d", {{moor::testing::FreeLoopbackPort(), 8080, "tcp", ""}});
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("injected portmap failure"));
  EXPECT_FALSE(std::filesystem::exists("/var/run/netns/" + NetnsName("d")));
  EXPECT_EQ(BridgePorts(), 0u) << "the veth was removed";
  std::error_code ec;
  std::filesystem::directory_iterator leases(options_.state_dir + "/ipam/" + options_.name_prefix, ec);
  for (const auto& entry : leases) {
    std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "lock" || name.rfind("last_reserved_ip", 0) == 0) << "lease left: " << name;
  }
  auto listed = net->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

}  // namespace
}  // namespace moor::runtime
