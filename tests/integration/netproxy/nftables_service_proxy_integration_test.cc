// NftablesServiceProxy on real nftables and routes, inside namespaces this test makes.
//
// Network safety: nothing is created or changed in the host's network namespace. A "node" netns
// holds a bridge (10.42.<x>.1/24), the unreachable routes for 10.42.0.0/16 and 10.43.0.0/16, the
// proxy's nftables table and its routes (the proxy's commands run through `ip netns exec`); two
// "pod" netns hang off the bridge on veths and run busybox httpd. Traffic only goes between
// these namespaces (UDP too: sockets the test opens inside them); a "client" netns on a veth to the node netns (10.99.<x>.0/30) stands for
// another machine reaching a node port. Every netns carries a random per-test prefix and is deleted in TearDown
// (which takes the bridge and veths with it), also when a test fails.
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "moor/common/command.h"
#include "moor/netproxy/nftables_render.h"
#include "moor/netproxy/nftables_service_proxy.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::netproxy {
namespace {

using moor::testing::ChildProcess;
using moor::testing::RunCommand;
using moor::testing::WaitFor;
using ::testing::HasSubstr;

constexpr const char* kBusybox = "/bin/busybox";
constexpr int kPodPort = 8080;

// Runs every command inside network namespace `ns` (`ip netns exec <ns> ...`).
class NetnsCommandRunner final : public CommandRunner {
 public:
  explicit NetnsCommandRunner(std::string ns) : ns_(std::move(ns)) {}
  StatusOr<moor::CommandResult> Run(const CommandSpec& spec) override {
    CommandSpec wrapped = spec;
    wrapped.argv = {"ip", "netns", "exec", ns_};
    wrapped.argv.insert(wrapped.argv.end(), spec.argv.begin(), spec.argv.end());
    return SystemCommandRunner().Run(wrapped);
  }

 private:
  std::string ns_;
};

std::string RandomHex(int bytes) {
  std::random_device rd;
  std::ostringstream out;
  for (int i = 0; i < bytes; ++i) out << std::hex << ((rd() & 0xf0) >> 4) << (rd() & 0x0f);
  return out.str();
}

std::string MissingPrerequisites() {
  std::string missing;
  if (::geteuid() != 0) missing += " root (run the integration tests as root);";
  if (RunCommand({"nft", "--version"}).exit_code != 0) missing += " nft (apt-get install nftables);";
  if (RunCommand({"ip", "-V"}).exit_code != 0) missing += " ip (apt-get install iproute2);";
  if (RunCommand({"curl", "--version"}).exit_code != 0) missing += " curl (apt-get install curl);";
  if (::access(kBusybox, X_OK) != 0) missing += " /bin/busybox (apt-get install busybox-static);";
  if (RunCommand({"conntrack", "--version"}).exit_code != 0) missing += " conntrack (apt-get install conntrack);";
  return missing;
}

// A UDP socket bound to ip:port inside network namespace `ns` (made on a thread that entered
// it; a socket keeps its namespace). -1 on failure.
int UdpSocketIn(const std::string& ns, const std::string& ip, int port) {
  int fd = -1;
  std::thread([&] {
    int ns_fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0 || ::unshare(CLONE_FS) != 0 || ::setns(ns_fd, CLONE_NEWNET) != 0) {
      if (ns_fd >= 0) ::close(ns_fd);
      return;
    }
    ::close(ns_fd);
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      fd = -1;
    }
  }).join();  // the thread (and its namespace) ends here
  return fd;
}

// Answers every datagram on `fd` with `reply` until destroyed.
class UdpResponder {
 public:
  UdpResponder(int fd, std::string reply) : fd_(fd), reply_(std::move(reply)), thread_([this] { Serve(); }) {}
  ~UdpResponder() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[512];
      sockaddr_in from{};
      socklen_t len = sizeof(from);
      if (::recvfrom(fd_, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len) < 0) continue;
      ::sendto(fd_, reply_.data(), reply_.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  int fd_;
  std::string reply_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One datagram from `fd` to ip:port and the answer ("" if none came within 2 s).
std::string UdpAsk(int fd, const std::string& ip, int port) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &to.sin_addr);
  if (::sendto(fd, "?", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 1) return "";
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 2000) <= 0) return "";
  char buf[512];
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

ServicePort Port(const std::string& name, const std::string& ip, std::vector<Backend> backends) {
  ServicePort p;
  p.ns = "default";
  p.name = name;
  p.cluster_ip = ip;
  p.protocol = "tcp";
  p.port = 80;
  p.backends = std::move(backends);
  return p;
}

class NftablesServiceProxyIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = MissingPrerequisites();
    ASSERT_TRUE(missing.empty()) << "the netproxy integration tests need:" << missing;
    prefix_ = "np" + RandomHex(3);
    node_ = prefix_ + "-node";
    bridge_ = prefix_ + "br";
    std::random_device rd;
    subnet_ = std::to_string(std::uniform_int_distribution<int>(100, 250)(rd));
    pod_ip_ = {{"a", "10.42." + subnet_ + ".2"}, {"b", "10.42." + subnet_ + ".3"}};

    Must({"ip", "netns", "add", node_});
    made_.push_back(node_);
    Must({"ip", "-n", node_, "link", "set", "lo", "up"});
    // Safety first: nothing for the pod or service ranges may leave the node namespace.
    Must({"ip", "-n", node_, "route", "add", "unreachable", "10.42.0.0/16"});
    Must({"ip", "-n", node_, "route", "add", "unreachable", "10.43.0.0/16"});
    Must({"ip", "netns", "exec", node_, "sysctl", "-qw", "net.ipv4.ip_forward=1"});
    Must({"ip", "-n", node_, "link", "add", bridge_, "type", "bridge"});
    Must({"ip", "-n", node_, "addr", "add", Gateway() + "/24", "dev", bridge_});
    Must({"ip", "-n", node_, "link", "set", bridge_, "up"});
    // Pod-to-pod replies through the bridge must see conntrack (as on a moor host).
    Must({"ip", "netns", "exec", node_, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1"});
    for (const auto& [pod, ip] : pod_ip_) {
      std::string ns = Pod(pod);
      std::string veth = prefix_ + "v" + pod;
      Must({"ip", "netns", "add", ns});
      made_.push_back(ns);
      Must({"ip", "-n", node_, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns});
      Must({"ip", "-n", node_, "link", "set", veth, "master", bridge_});
      Must({"ip", "-n", node_, "link", "set", veth, "type", "bridge_slave", "hairpin", "on"});
      Must({"ip", "-n", node_, "link", "set", veth, "up"});
      Must({"ip", "-n", ns, "link", "set", "lo", "up"});
      Must({"ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0"});
      Must({"ip", "-n", ns, "link", "set", "eth0", "up"});
      Must({"ip", "-n", ns, "route", "add", "default", "via", Gateway()});
      moor::testing::WriteFile(dir_ / ("www-" + pod) / "index.html", "pod-" + pod + "\n");
      servers_.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{"ip", "netns", "exec", ns, kBusybox, "httpd", "-f", "-p", std::to_string(kPodPort),
                                   "-h", (dir_ / ("www-" + pod)).string()},
          (dir_ / ("httpd-" + pod + ".log")).string()));
    }
    for (const auto& [pod, ip] : pod_ip_) {
      ASSERT_TRUE(WaitFor([&] { return Get(node_, ip, kPodPort).exit_code == 0; }))
          << "pod " << pod << " does not answer on " << ip << ":" << kPodPort;
    }
    runner_ = std::make_unique<NetnsCommandRunner>(node_);
    NftablesServiceProxyOptions options;
    options.nftables.table = prefix_;
    options.bridge = bridge_;
    options.service_cidr = "10.43.0.0/16";
    options.route_metric = 77;
    options.runner = runner_.get();
    auto proxy = CreateNftablesServiceProxy(options);
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(proxy).value();
  }

  void TearDown() override {
    servers_.clear();  // SIGKILL + reap the httpd processes
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
      auto r = RunCommand({"ip", "netns", "delete", *it});
      EXPECT_EQ(r.exit_code, 0) << "ip netns delete " << *it << ": " << r.err;
    }
    EXPECT_THAT(RunCommand({"ip", "netns", "list"}).out, ::testing::Not(HasSubstr(prefix_)));
    if (!prefix_.empty()) {
      // The host's namespace never saw our table.
      EXPECT_NE(RunCommand({"nft", "list", "table", "ip", prefix_}).exit_code, 0);
    }
  }

  void Must(const std::vector<std::string>& argv) {
    auto r = RunCommand(argv);
    ASSERT_EQ(r.exit_code, 0) << ::testing::PrintToString(argv) << ": " << r.err;
  }

  std::string Gateway() const { return "10.42." + subnet_ + ".1"; }
  std::string ServiceIp(int host) const { return "10.43." + subnet_ + "." + std::to_string(host); }
  std::string Pod(const std::string& pod) const { return prefix_ + "-" + pod; }
  Backend BackendOf(const std::string& pod) const { return {pod_ip_.at(pod), kPodPort}; }

  // One HTTP GET from inside `ns`; exit code 0 and the body on success (curl's exit 7 and
  // "Connection refused" when refused).
  static moor::testing::CommandResult Get(const std::string& ns, const std::string& ip, int port) {
    return RunCommand({"ip", "netns", "exec", ns, "curl", "-sS", "--noproxy", "*", "--max-time", "5",
                       "http://" + ip + ":" + std::to_string(port) + "/"},
                      {}, "", std::chrono::seconds(15));
  }

  // /32 routes on our bridge in the node namespace: "10.43.x.y" -> prefsrc.
  std::map<std::string, std::string> BridgeRoutes() const {
    std::map<std::string, std::string> routes;
    auto r = RunCommand({"ip", "-n", node_, "-4", "-j", "route", "show", "dev", bridge_});
    auto j = nlohmann::json::parse(r.out.empty() ? "[]" : r.out, nullptr, false);
    if (!j.is_array()) return routes;
    for (const auto& route : j) {
      std::string dst = route.value("dst", "");
      if (dst.rfind("10.43.", 0) == 0) routes[dst] = route.value("prefsrc", "");
    }
    return routes;
  }

  bool TableExists() const {
    return RunCommand({"ip", "netns", "exec", node_, "nft", "list", "table", "ip", prefix_}).exit_code == 0;
  }

  moor::testing::TempDir dir_{"netproxy"};
  std::string prefix_, node_, bridge_, subnet_;
  std::map<std::string, std::string> pod_ip_;
  std::vector<std::string> made_;  // namespaces to delete, in creation order
  std::vector<std::unique_ptr<ChildProcess>> servers_;
  std::unique_ptr<CommandRunner> runner_;
  std::unique_ptr<ServiceProxy> proxy_;
};

TEST_F(NftablesServiceProxyIntegrationTest, NftCheckAcceptsTheRenderedScript) {
  ServiceTable table;
  table.ports.push_back(Port("web", ServiceIp(10), {BackendOf("a"), BackendOf("b")}));
  table.ports.push_back(Port("idle", ServiceIp(11), {}));
  ServicePort dns = Port("dns", ServiceIp(12), {BackendOf("a")});
  dns.protocol = "udp";
  dns.port = 53;
  table.ports.push_back(dns);
  ServicePort sctp = Port("sctp", ServiceIp(13), {BackendOf("b")});
  sctp.protocol = "sctp";
  sctp.node_port = 30000;
  table.ports.push_back(sctp);
  ServicePort node_port = Port("np", ServiceIp(14), {BackendOf("a")});
  node_port.node_port = 30000;
  table.ports.push_back(node_port);
  ServicePort idle_node_port = Port("np-idle", ServiceIp(15), {});
  idle_node_port.node_port = 30001;
  table.ports.push_back(idle_node_port);
  NftablesOptions options;
  options.table = prefix_;
  auto r = RunCommand({"ip", "netns", "exec", node_, "nft", "-c", "-f", "-"}, {}, RenderNftables(table, options));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(TableExists()) << "nft --check changed nothing";
}

TEST_F(NftablesServiceProxyIntegrationTest, BothPodsAnswerThroughTheClusterIp) {
  ServiceTable table;
  table.ports.push_back(Port("web", ServiceIp(10), {BackendOf("a"), BackendOf("b")}));
  Status applied = proxy_->Apply(table);
  ASSERT_TRUE(applied.ok()) << applied.ToString();
  EXPECT_EQ(BridgeRoutes(), (std::map<std::string, std::string>{{ServiceIp(10), Gateway()}}));

  std::map<std::string, int> answers;
  for (int i = 0; i < 20; ++i) {
    auto r = Get(node_, ServiceIp(10), 80);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    answers[r.out]++;
  }
  EXPECT_EQ(answers.size(), 2u) << "20 requests from the node went to one pod only";
  EXPECT_TRUE(answers.count("pod-a\n") && answers.count("pod-b\n"));

  // From a pod too (forwarded through the node; the reply from the other pod crosses the bridge).
  std::map<std::string, int> from_pod;
  for (int i = 0; i < 20; ++i) {
    auto r = Get(Pod("a"), ServiceIp(10), 80);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    from_pod[r.out]++;
  }
  EXPECT_EQ(from_pod.size(), 2u);
}

// A UDP client keeps its source port, so without a conntrack delete its flow would stay DNATed
// to a backend that left the Service (here: one that is alive but no longer ready) until the
// entry idles out.
TEST_F(NftablesServiceProxyIntegrationTest, AUdpFlowFollowsTheServiceWhenItsBackendLeaves) {
  constexpr int kUdpPort = 5353;
  std::map<std::string, std::unique_ptr<UdpResponder>> responders;
  for (const auto& [pod, ip] : pod_ip_) {
    int fd = UdpSocketIn(Pod(pod), ip, kUdpPort);
    ASSERT_GE(fd, 0) << "UDP socket in " << Pod(pod) << ": " << std::strerror(errno);
    responders[pod] = std::make_unique<UdpResponder>(fd, "pod-" + pod);
  }
  int client = UdpSocketIn(node_, "0.0.0.0", 40053);
  ASSERT_GE(client, 0) << "UDP client socket in " << node_;
  auto udp = [&](std::vector<Backend> backends) {
    ServicePort p = Port("dns", ServiceIp(30), {});
    p.protocol = "udp";
    p.port = 53;
    for (Backend& b : backends) b.port = kUdpPort;
    p.backends = std::move(backends);
    return ServiceTable{{p}};
  };

  ASSERT_TRUE(proxy_->Apply(udp({BackendOf("a")})).ok());
  EXPECT_EQ(UdpAsk(client, ServiceIp(30), 53), "pod-a");
  auto entries = RunCommand({"ip", "netns", "exec", node_, "conntrack", "-L", "-p", "udp", "--orig-dst", ServiceIp(30)});
  EXPECT_THAT(entries.out, HasSubstr("src=" + pod_ip_.at("a"))) << "the flow is in conntrack, DNATed to pod a";

  Status applied = proxy_->Apply(udp({BackendOf("b")}));
  ASSERT_TRUE(applied.ok()) << applied.ToString();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(UdpAsk(client, ServiceIp(30), 53), "pod-b") << "datagram " << i;
  ::close(client);
}

TEST_F(NftablesServiceProxyIntegrationTest, APodReachesItselfThroughItsService) {
  ServiceTable table;
  table.ports.push_back(Port("self", ServiceIp(20), {BackendOf("a")}));
  ASSERT_TRUE(proxy_->Apply(table).ok());
  for (int i = 0; i < 3; ++i) {
    auto r = Get(Pod("a"), ServiceIp(20), 80);
    ASSERT_EQ(r.exit_code, 0) << "hairpin: " << r.err;
    EXPECT_EQ(r.out, "pod-a\n");
  }
}

TEST_F(NftablesServiceProxyIntegrationTest, NoReadyEndpointIsRefusedAtOnce) {
  ServiceTable table;
  table.ports.push_back(Port("idle", ServiceIp(30), {}));
  table.ports.push_back(Port("web", ServiceIp(31), {BackendOf("a")}));
  ASSERT_TRUE(proxy_->Apply(table).ok());
  EXPECT_EQ(BridgeRoutes().count(ServiceIp(30)), 1u) << "the host reaches the rule through a /32 route";
  // A service port without ready endpoints, and a port the Service does not have.
  for (const std::string& url : {"http://" + ServiceIp(30) + ":80/", "http://" + ServiceIp(31) + ":81/"}) {
    for (const std::string& from : {node_, Pod("a")}) {
      // busybox wget names the errno (curl says "Couldn't connect" for refused and unreachable).
      // (Its -T option crashes Debian's busybox-static 1.35; RunCommand's timeout bounds it.)
      auto r = RunCommand({"ip", "netns", "exec", from, kBusybox, "wget", "-q", "-O-", url}, {}, "",
                          std::chrono::seconds(15));
      EXPECT_NE(r.exit_code, 0) << url << " from " << from;
      EXPECT_THAT(r.err, HasSubstr("Connection refused")) << url << " from " << from << ": exit " << r.exit_code;
    }
  }
  EXPECT_EQ(Get(node_, ServiceIp(31), 80).out, "pod-a\n");
}

TEST_F(NftablesServiceProxyIntegrationTest, ReplacingTheTableLosesNoRequest) {
  ServiceTable both, only_a, only_b;
  both.ports.push_back(Port("web", ServiceIp(40), {BackendOf("a"), BackendOf("b")}));
  only_a.ports.push_back(Port("web", ServiceIp(40), {BackendOf("a")}));
  only_b.ports.push_back(Port("web", ServiceIp(40), {BackendOf("b")}));
  ASSERT_TRUE(proxy_->Apply(both).ok());

  std::atomic<bool> done{false};
  std::atomic<int> ok{0};
  std::vector<std::string> failures;
  std::thread client([&] {
    for (int i = 0; i < 150; ++i) {
      auto r = Get(node_, ServiceIp(40), 80);
      if (r.exit_code == 0) ok++;
      else failures.push_back("exit " + std::to_string(r.exit_code) + ": " + r.err);
    }
    done = true;
  });
  int replaced = 0;
  const ServiceTable* tables[] = {&only_a, &both, &only_b, &both};
  while (!done) {
    Status s = proxy_->Apply(*tables[replaced % 4]);
    EXPECT_TRUE(s.ok()) << s.ToString();
    ++replaced;
  }
  client.join();
  EXPECT_GT(replaced, 1);
  EXPECT_EQ(ok.load(), 150) << "lost requests while the table was replaced " << replaced << " times: "
                            << ::testing::PrintToString(failures);
}

TEST_F(NftablesServiceProxyIntegrationTest, StaleRoutesGoAndRemoveLeavesNothing) {
  ServiceTable two;
  two.ports.push_back(Port("one", ServiceIp(50), {BackendOf("a")}));
  two.ports.push_back(Port("two", ServiceIp(51), {BackendOf("b")}));
  ASSERT_TRUE(proxy_->Apply(two).ok());
  EXPECT_EQ(BridgeRoutes().size(), 2u);
  ServiceTable one;
  one.ports.push_back(two.ports[1]);
  ASSERT_TRUE(proxy_->Apply(one).ok());
  EXPECT_EQ(BridgeRoutes(), (std::map<std::string, std::string>{{ServiceIp(51), Gateway()}}));
  EXPECT_NE(Get(node_, ServiceIp(50), 80).exit_code, 0) << "a removed service must not answer";

  Status removed = proxy_->Remove();
  ASSERT_TRUE(removed.ok()) << removed.ToString();
  EXPECT_FALSE(TableExists());
  EXPECT_TRUE(BridgeRoutes().empty());
  // The unreachable routes are not the proxy's and stay.
  auto shown = RunCommand({"ip", "-n", node_, "route", "show", "type", "unreachable"});
  EXPECT_THAT(shown.out, HasSubstr("10.43.0.0/16"));
  EXPECT_TRUE(proxy_->Remove().ok()) << "Remove is idempotent";
}

TEST_F(NftablesServiceProxyIntegrationTest, ABridgeThatDoesNotExistYetOnlySkipsRoutes) {
  NftablesServiceProxyOptions options;
  options.nftables.table = prefix_;
  options.bridge = prefix_ + "none";
  options.route_metric = 77;
  options.runner = runner_.get();
  auto proxy = CreateNftablesServiceProxy(options);
  ASSERT_TRUE(proxy.ok());
  ServiceTable table;
  table.ports.push_back(Port("web", ServiceIp(60), {BackendOf("a")}));
  Status applied = (*proxy)->Apply(table);
  EXPECT_TRUE(applied.ok()) << applied.ToString();
  EXPECT_TRUE(TableExists());
  EXPECT_TRUE((*proxy)->Remove().ok());
}

TEST_F(NftablesServiceProxyIntegrationTest, NodePortsAnswerOnTheNodeAddressesAndRefuseWithoutEndpoints) {
  // A client machine: its own netns on a veth to the node netns.
  const std::string client = prefix_ + "-client";
  const std::string node_ip = "10.99." + subnet_ + ".1";
  Must({"ip", "netns", "add", client});
  made_.push_back(client);
  Must({"ip", "-n", node_, "link", "add", prefix_ + "vc", "type", "veth", "peer", "name", "eth0", "netns", client});
  Must({"ip", "-n", node_, "addr", "add", node_ip + "/30", "dev", prefix_ + "vc"});
  Must({"ip", "-n", node_, "link", "set", prefix_ + "vc", "up"});
  Must({"ip", "-n", client, "link", "set", "lo", "up"});
  Must({"ip", "-n", client, "addr", "add", "10.99." + subnet_ + ".2/30", "dev", "eth0"});
  Must({"ip", "-n", client, "link", "set", "eth0", "up"});
  Must({"ip", "-n", client, "route", "add", "default", "via", node_ip});

  ServiceTable table;
  ServicePort web = Port("web", ServiceIp(70), {BackendOf("a"), BackendOf("b")});
  web.node_port = 30080;
  ServicePort idle = Port("idle", ServiceIp(71), {});
  idle.node_port = 30081;
  table.ports.push_back(web);
  table.ports.push_back(idle);
  Status applied = proxy_->Apply(table);
  ASSERT_TRUE(applied.ok()) << applied.ToString();

  // From the client to the node's address on its link: both pods answer (the replies come back
  // through the node because the node masquerades).
  std::map<std::string, int> answers;
  for (int i = 0; i < 20; ++i) {
    auto r = Get(client, node_ip, 30080);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    answers[r.out]++;
  }
  EXPECT_EQ(answers.size(), 2u) << "20 requests from the client went to one pod only";
  EXPECT_TRUE(answers.count("pod-a\n") && answers.count("pod-b\n"));
  // Any local address of the node serves it, for the node itself and for a pod too.
  EXPECT_EQ(Get(node_, node_ip, 30080).exit_code, 0);
  auto from_pod = Get(Pod("a"), Gateway(), 30080);
  EXPECT_EQ(from_pod.exit_code, 0) << from_pod.err;
  // The ClusterIP still works; the node port is not a port of the ClusterIP.
  EXPECT_EQ(Get(node_, ServiceIp(70), 80).exit_code, 0);

  // Without a ready endpoint: refused, from the client and from the node; loopback is not served.
  for (const auto& [from, url] : std::vector<std::pair<std::string, std::string>>{
           {client, "http://" + node_ip + ":30081/"},
           {node_, "http://" + Gateway() + ":30081/"},
           {node_, "http://127.0.0.1:30080/"}}) {
    auto r = RunCommand({"ip", "netns", "exec", from, kBusybox, "wget", "-q", "-O-", url}, {}, "",
                        std::chrono::seconds(15));
    EXPECT_NE(r.exit_code, 0) << url << " from " << from;
    EXPECT_THAT(r.err, HasSubstr("Connection refused")) << url << " from " << from << ": exit " << r.exit_code;
  }

  // The Service loses its node port: the port is closed again.
  table.ports[0].node_port = 0;
  ASSERT_TRUE(proxy_->Apply(table).ok());
  EXPECT_NE(Get(client, node_ip, 30080).exit_code, 0);
}

// Not a threshold: prints how long one `nft -f` replacement takes for 1 / 100 / 1000 services
// (each with two backends) so the numbers can be compared between changes.
TEST_F(NftablesServiceProxyIntegrationTest, AppliesLargeTables) {
  for (int n : {1, 100, 1000}) {
    ServiceTable table;
    for (int i = 0; i < n; ++i) {
      table.ports.push_back(Port("svc" + std::to_string(i),
                                 "10.43." + std::to_string(i / 250 + 1) + "." + std::to_string(i % 250 + 2),
                                 {BackendOf("a"), BackendOf("b")}));
    }
    for (int round = 0; round < 2; ++round) {
      auto start = std::chrono::steady_clock::now();
      Status applied = proxy_->Apply(table);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      ASSERT_TRUE(applied.ok()) << applied.ToString();
      std::cout << "apply of " << n << " services (" << (round == 0 ? "create" : "replace") << "): " << ms.count()
                << " ms\n";
    }
    EXPECT_EQ(BridgeRoutes().size(), static_cast<std::size_t>(n));
  }
  ASSERT_TRUE(proxy_->Remove().ok());
  EXPECT_TRUE(BridgeRoutes().empty());
}

}  // namespace
}  // namespace moor::netproxy
