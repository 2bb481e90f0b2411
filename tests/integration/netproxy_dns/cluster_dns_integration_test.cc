// ClusterDns on a real socket, a real local route and a real SqliteStore, all inside a network
// namespace the test creates (the route and every packet stay in it; forwarding goes only to a
// fake upstream on the namespace's own 127.0.0.1).
#include "moor/netproxy/dns/cluster_dns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <set>

#include "dns_test_util.h"
#include "moor/common/ipv4_cidr.h"
#include "moor/store/sqlite_store.h"
#include "moor/store/store_cluster_client.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::netproxy::dns {
namespace {

using manifests::Object;
using moor::testing::RunCommand;
using moor::testing::TempDir;
using moor::testing::WaitFor;
using testing::Ask;
using testing::AskRaw;
using testing::FakeUpstream;

constexpr const char* kDnsIp = "10.43.57.10";
constexpr const char* kNetnsPrefix = "moor-dnst-";

std::uint32_t Ip(const char* text) { return *ParseIpv4Address(text); }

Object Service(const std::string& ns, const std::string& name, Object spec) {
  return Object{{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"namespace", ns}, {"name", name}}}, {"spec", spec}};
}

Object Endpoints(const std::string& ns, const std::string& name, Object subsets) {
  return Object{{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", {{"namespace", ns}, {"name", name}}}, {"subsets", subsets}};
}

std::vector<std::uint32_t> AddressesOf(const Message& m) {
  std::vector<std::uint32_t> out;
  for (const Record& r : m.answers) {
    if (r.type == kTypeA) out.push_back(r.ipv4);
  }
  return out;
}

// Namespaces of earlier runs that died before their TearDown (their pid is gone).
void RemoveStaleNamespaces() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kNetnsPrefix, 0) != 0) continue;
    std::string rest = name.substr(std::string(kNetnsPrefix).size());
    pid_t pid = static_cast<pid_t>(std::atoi(rest.substr(0, rest.find('-')).c_str()));
    if (pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH)) continue;
    RunCommand({"ip", "netns", "del", name});
  }
}

// Upstream answers: example.com A 192.0.2.1 (documentation address: data only, never
// contacted); big.example.com: 40 A records (longer than 512 bytes: TC over UDP).
Message UpstreamAnswer(const Message& query) {
  Message reply;
  reply.header.id = query.header.id;
  reply.header.qr = true;
  reply.header.rd = query.header.rd;
  reply.header.ra = true;
  reply.questions = query.questions;
  if (query.questions.empty()) return reply;
  const Question& q = query.questions[0];
  if (q.name == "example.com" && q.type == kTypeA) {
    reply.answers.push_back(Record::A(q.name, 300, Ip("192.0.2.1")));
  } else if (q.name == "big.example.com" && q.type == kTypeA) {
    for (std::uint32_t i = 0; i < 40; ++i) reply.answers.push_back(Record::A(q.name, 300, Ip("192.0.2.100") + i));
  } else if (q.name != "example.com" && q.name != "big.example.com") {
    reply.header.rcode = kRcodeNxDomain;
  }
  return reply;
}

class ClusterDnsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0) << "this test needs root (it creates a network namespace and a route in it)";
    ASSERT_EQ(RunCommand({"ip", "-V"}).exit_code, 0) << "this test needs iproute2 (the ip command)";
    RemoveStaleNamespaces();
    static int counter = 0;
    netns_ = kNetnsPrefix + std::to_string(getpid()) + "-" + std::to_string(counter++);
    auto added = RunCommand({"ip", "netns", "add", netns_});
    ASSERT_EQ(added.exit_code, 0) << "ip netns add " << netns_ << ": " << added.err;
    created_ = true;
    auto lo = RunCommand({"ip", "-n", netns_, "link", "set", "lo", "up"});
    ASSERT_EQ(lo.exit_code, 0) << lo.err;
    host_ns_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(host_ns_fd_, 0);
    int fd = open(("/run/netns/" + netns_).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << "/run/netns/" << netns_;
    int entered = setns(fd, CLONE_NEWNET);
    close(fd);
    ASSERT_EQ(entered, 0) << "setns: " << std::strerror(errno);
    entered_ = true;
    // From here on this thread, every thread it starts and every program it runs live in the
    // test's namespace.

    store::SqliteStoreOptions store_options;
    store_options.path = dir_ / "store.db";
    auto store = store::OpenSqliteStore(store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    cluster_ = std::make_unique<store::StoreClusterClient>(*store_);
    Create(Service("default", "web",
                   {{"clusterIP", "10.43.57.20"},
                    {"ports", {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", 8080}}}}}));
    Create(Endpoints("default", "web",
                     {{{"addresses", {{{"ip", "10.42.0.7"}}}}, {"ports", {{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}}}}));
    Create(Service("db", "pg", {{"clusterIP", "None"}, {"ports", {{{"name", "sql"}, {"port", 5432}}}}}));
    Create(Endpoints("db", "pg",
                     {{{"addresses", {{{"ip", "10.42.0.5"}, {"hostname", "pg-0"}}, {{"ip", "10.42.0.6"}, {"hostname", "pg-1"}}}},
                       {"notReadyAddresses", {{{"ip", "10.42.0.9"}}}},
                       {"ports", {{{"name", "sql"}, {"port", 5432}, {"protocol", "TCP"}}}}}}));
  }

  void TearDown() override {
    if (dns_) {
      dns_->Stop();
      EXPECT_TRUE(dns_->RemoveHostState().ok());
      dns_.reset();
    }
    upstream_.reset();
    cluster_.reset();
    store_.reset();
    if (entered_) {
      EXPECT_EQ(setns(host_ns_fd_, CLONE_NEWNET), 0) << std::strerror(errno);
    }
    if (host_ns_fd_ >= 0) close(host_ns_fd_);
    if (created_) {
      auto del = RunCommand({"ip", "netns", "del", netns_});
      EXPECT_EQ(del.exit_code, 0) << "ip netns del " << netns_ << ": " << del.err;
    }
  }

  void Create(const Object& obj) {
    auto created = store_->Create(obj);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  // Starts the server on kDnsIp:53 forwarding to the fake upstream (started here if needed).
  void StartDns(std::vector<std::string> upstreams = {}) {
    if (upstreams.empty()) {
      if (!upstream_) upstream_ = std::make_unique<FakeUpstream>(UpstreamAnswer);
      upstreams = {"127.0.0.1:" + std::to_string(upstream_->port())};
    }
    ClusterDnsOptions options;
    options.cluster = cluster_.get();
    options.listen_ip = kDnsIp;
    options.upstreams = upstreams;
    options.upstream_timeout = std::chrono::milliseconds(300);
    auto dns = ClusterDns::Start(options);
    ASSERT_TRUE(dns.ok()) << dns.status().ToString();
    dns_ = std::move(*dns);
  }

  std::optional<Message> Query(const std::string& name, std::uint16_t type = kTypeA, bool tcp = false,
                               std::optional<std::uint16_t> edns = std::nullopt) {
    return Ask(kDnsIp, 53, name, type, tcp, edns);
  }

  bool LocalRouteExists() {
    auto out = RunCommand({"ip", "route", "show", "table", "local", std::string(kDnsIp) + "/32"});
    return out.out.find(kDnsIp) != std::string::npos;
  }

  TempDir dir_{"dns"};
  std::string netns_;
  bool created_ = false;
  bool entered_ = false;
  int host_ns_fd_ = -1;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::StoreClusterClient> cluster_;
  std::unique_ptr<FakeUpstream> upstream_;
  std::unique_ptr<ClusterDns> dns_;
};

TEST_F(ClusterDnsIntegrationTest, AnswersServiceAddressOverUdpAndTcp) {
  StartDns();
  ASSERT_EQ(dns_->port(), 53);
  for (bool tcp : {false, true}) {
    auto reply = Query("web.default.svc.cluster.local", kTypeA, tcp);
    ASSERT_TRUE(reply.has_value()) << (tcp ? "tcp" : "udp");
    EXPECT_TRUE(reply->header.aa);
    EXPECT_EQ(reply->header.rcode, kRcodeNoError);
    EXPECT_EQ(AddressesOf(*reply), std::vector<std::uint32_t>{Ip("10.43.57.20")});
    ASSERT_EQ(reply->answers.size(), 1u);
    EXPECT_EQ(reply->answers[0].ttl, 5u);
  }
  // An existing name without AAAA: NODATA, not NXDOMAIN.
  auto aaaa = Query("web.default.svc.cluster.local", kTypeAaaa);
  ASSERT_TRUE(aaaa.has_value());
  EXPECT_EQ(aaaa->header.rcode, kRcodeNoError);
  EXPECT_TRUE(aaaa->answers.empty());

  // An independent client: busybox's nslookup (as in a pod's image).
  auto ns = RunCommand({"busybox", "nslookup", "web.default.svc.cluster.local", kDnsIp}, {}, "", std::chrono::seconds(20));
  EXPECT_EQ(ns.exit_code, 0) << ns.out << ns.err;
  EXPECT_NE(ns.out.find("10.43.57.20"), std::string::npos) << ns.out << ns.err;
}

TEST_F(ClusterDnsIntegrationTest, AnswersSrvForNamedPorts) {
  StartDns();
  auto reply = Query("_http._tcp.web.default.svc.cluster.local", kTypeSrv);
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->answers.size(), 1u);
  EXPECT_EQ(reply->answers[0].type, kTypeSrv);
  EXPECT_EQ(reply->answers[0].port, 80);
  EXPECT_EQ(reply->answers[0].target, "web.default.svc.cluster.local");
  ASSERT_EQ(reply->additional.size(), 1u);
  EXPECT_EQ(reply->additional[0].ipv4, Ip("10.43.57.20"));

  auto ns = RunCommand({"busybox", "nslookup", "-type=srv", "_http._tcp.web.default.svc.cluster.local", kDnsIp}, {},
                       "", std::chrono::seconds(20));
  EXPECT_NE(ns.out.find("web.default.svc.cluster.local"), std::string::npos) << ns.out << ns.err;
  EXPECT_NE(ns.out.find("80"), std::string::npos) << ns.out << ns.err;
}

TEST_F(ClusterDnsIntegrationTest, UnknownClusterNamesAreNxDomain) {
  StartDns();
  for (std::string name : {"nope.default.svc.cluster.local", "web.nope.svc.cluster.local",
                           "10-42-0-9.pg.db.svc.cluster.local"}) {
    auto reply = Query(name);
    ASSERT_TRUE(reply.has_value()) << name;
    EXPECT_EQ(reply->header.rcode, kRcodeNxDomain) << name;
    ASSERT_EQ(reply->authority.size(), 1u) << name;
    EXPECT_EQ(reply->authority[0].type, kTypeSoa) << name;
  }
  EXPECT_EQ(upstream_->udp_queries(), 0) << "cluster names never go upstream";
  auto ns = RunCommand({"busybox", "nslookup", "nope.default.svc.cluster.local", kDnsIp}, {}, "", std::chrono::seconds(20));
  EXPECT_NE(ns.exit_code, 0) << ns.out;
  EXPECT_NE((ns.out + ns.err).find("NXDOMAIN"), std::string::npos) << ns.out << ns.err;
}

TEST_F(ClusterDnsIntegrationTest, HeadlessServiceAnswersReadyEndpoints) {
  StartDns();
  auto reply = Query("pg.db.svc.cluster.local");
  ASSERT_TRUE(reply.has_value());
  auto addresses = AddressesOf(*reply);
  EXPECT_EQ(std::set<std::uint32_t>(addresses.begin(), addresses.end()),
            (std::set<std::uint32_t>{Ip("10.42.0.5"), Ip("10.42.0.6")}));
  auto host = Query("pg-1.pg.db.svc.cluster.local");
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(AddressesOf(*host), std::vector<std::uint32_t>{Ip("10.42.0.6")});
  auto srv = Query("_sql._tcp.pg.db.svc.cluster.local", kTypeSrv);
  ASSERT_TRUE(srv.has_value());
  EXPECT_EQ(srv->answers.size(), 2u);
  for (auto [reverse, name] : std::vector<std::pair<std::string, std::string>>{
           {"6.0.42.10.in-addr.arpa", "pg-1.pg.db.svc.cluster.local"},
           {"20.57.43.10.in-addr.arpa", "web.default.svc.cluster.local"}}) {
    auto ptr = Query(reverse, kTypePtr);
    ASSERT_TRUE(ptr.has_value()) << reverse;
    ASSERT_EQ(ptr->answers.size(), 1u) << reverse;
    EXPECT_EQ(ptr->answers[0].target, name);
  }
  auto pod = Query("10-42-0-7.default.pod.cluster.local");
  ASSERT_TRUE(pod.has_value());
  EXPECT_EQ(AddressesOf(*pod), std::vector<std::uint32_t>{Ip("10.42.0.7")});
}

TEST_F(ClusterDnsIntegrationTest, ForwardsOtherNamesToTheUpstream) {
  StartDns();
  auto reply = Query("example.com");
  ASSERT_TRUE(reply.has_value());
  EXPECT_FALSE(reply->header.aa);
  EXPECT_EQ(reply->header.rcode, kRcodeNoError);
  EXPECT_EQ(AddressesOf(*reply), std::vector<std::uint32_t>{Ip("192.0.2.1")});
  EXPECT_EQ(upstream_->udp_queries(), 1);

  auto nx = Query("nope.example.com");
  ASSERT_TRUE(nx.has_value());
  EXPECT_EQ(nx->header.rcode, kRcodeNxDomain);

  // Truncated over UDP upstream: fetched again over TCP; the client gets it all with EDNS...
  auto big = Query("big.example.com", kTypeA, false, 1232);
  ASSERT_TRUE(big.has_value());
  EXPECT_FALSE(big->header.tc);
  EXPECT_EQ(big->answers.size(), 40u);
  EXPECT_EQ(upstream_->tcp_queries(), 1);
  // ... cut with TC within 512 bytes without, and in full over TCP.
  auto cut = Query("big.example.com");
  ASSERT_TRUE(cut.has_value());
  EXPECT_TRUE(cut->header.tc);
  auto tcp = Query("big.example.com", kTypeA, true);
  ASSERT_TRUE(tcp.has_value());
  EXPECT_EQ(tcp->answers.size(), 40u);

  auto ns = RunCommand({"busybox", "nslookup", "example.com", kDnsIp}, {}, "", std::chrono::seconds(20));
  EXPECT_NE(ns.out.find("192.0.2.1"), std::string::npos) << ns.out << ns.err;
}

TEST_F(ClusterDnsIntegrationTest, ExternalNameIsACnameFollowedUpstream) {
  Create(Service("default", "ext", {{"type", "ExternalName"}, {"externalName", "example.com"}}));
  StartDns();
  auto reply = Query("ext.default.svc.cluster.local");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->header.rcode, kRcodeNoError);
  ASSERT_EQ(reply->answers.size(), 2u);
  EXPECT_EQ(reply->answers[0], Record::Cname("ext.default.svc.cluster.local", 5, "example.com"));
  EXPECT_EQ(reply->answers[1].type, kTypeA);
  EXPECT_EQ(reply->answers[1].ipv4, Ip("192.0.2.1"));
  auto ns = RunCommand({"busybox", "nslookup", "ext.default.svc.cluster.local", kDnsIp}, {}, "", std::chrono::seconds(20));
  EXPECT_NE(ns.out.find("192.0.2.1"), std::string::npos) << ns.out << ns.err;
}

TEST_F(ClusterDnsIntegrationTest, DefaultUpstreamsComeFromResolvConf) {
  upstream_ = std::make_unique<FakeUpstream>(UpstreamAnswer, 53);
  moor::testing::WriteFile(dir_ / "resolv.conf",
                           std::string("nameserver ") + kDnsIp + "\nnameserver 127.0.0.1\noptions ndots:5\n");
  ClusterDnsOptions options;
  options.cluster = cluster_.get();
  options.listen_ip = kDnsIp;
  options.resolv_conf = (dir_ / "resolv.conf").string();
  auto dns = ClusterDns::Start(options);
  ASSERT_TRUE(dns.ok()) << dns.status().ToString();
  dns_ = std::move(*dns);
  auto reply = Query("example.com");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(AddressesOf(*reply), std::vector<std::uint32_t>{Ip("192.0.2.1")});
  EXPECT_EQ(upstream_->udp_queries(), 1);
}

TEST_F(ClusterDnsIntegrationTest, NoUpstreamMeansServFailForOtherNames) {
  ClusterDnsOptions options;
  options.cluster = cluster_.get();
  options.listen_ip = kDnsIp;
  options.resolv_conf = "";
  auto dns = ClusterDns::Start(options);
  ASSERT_TRUE(dns.ok()) << dns.status().ToString();
  dns_ = std::move(*dns);
  auto reply = Query("example.com");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->header.rcode, kRcodeServFail);
  auto cluster = Query("web.default.svc.cluster.local");
  ASSERT_TRUE(cluster.has_value());
  EXPECT_EQ(AddressesOf(*cluster), std::vector<std::uint32_t>{Ip("10.43.57.20")});
}

TEST_F(ClusterDnsIntegrationTest, ASecondServerOnTheSameAddressFailsToStart) {
  StartDns();
  ClusterDnsOptions options;
  options.cluster = cluster_.get();
  options.listen_ip = kDnsIp;
  options.resolv_conf = "";
  auto second = ClusterDns::Start(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("10.43.57.10:53"), std::string::npos) << second.status().ToString();
  // The first one still answers everything.
  auto reply = Query("web.default.svc.cluster.local");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(AddressesOf(*reply), std::vector<std::uint32_t>{Ip("10.43.57.20")});
}

TEST_F(ClusterDnsIntegrationTest, RejectsBadOptions) {
  ClusterDnsOptions options;
  options.cluster = cluster_.get();
  options.listen_ip = "10.43.57.300";
  EXPECT_EQ(ClusterDns::Start(options).status().code(), StatusCode::kInvalidArgument);
  options.listen_ip = kDnsIp;
  options.upstreams = {"dns.example.com"};
  auto bad_upstream = ClusterDns::Start(options);
  EXPECT_EQ(bad_upstream.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_upstream.status().message().find("dns.example.com"), std::string::npos);
  options.upstreams = {};
  options.cluster = nullptr;
  EXPECT_EQ(ClusterDns::Start(options).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ClusterDnsIntegrationTest, FailsOverToTheNextUpstreamAndServFailsWhenNoneAnswers) {
  FakeUpstream silent(nullptr);
  upstream_ = std::make_unique<FakeUpstream>(UpstreamAnswer);
  StartDns({"127.0.0.1:" + std::to_string(silent.port()), "127.0.0.1:" + std::to_string(upstream_->port())});
  auto reply = Query("example.com");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(AddressesOf(*reply), std::vector<std::uint32_t>{Ip("192.0.2.1")});
  EXPECT_EQ(silent.udp_queries(), 1);
  // The answering upstream is asked first from now on.
  ASSERT_TRUE(Query("example.com").has_value());
  EXPECT_EQ(silent.udp_queries(), 1);
  EXPECT_EQ(upstream_->udp_queries(), 2);

  dns_->Stop();
  ASSERT_TRUE(dns_->RemoveHostState().ok());
  dns_.reset();
  StartDns({"127.0.0.1:" + std::to_string(silent.port())});
  auto servfail = Query("example.com");
  ASSERT_TRUE(servfail.has_value());
  EXPECT_EQ(servfail->header.rcode, kRcodeServFail);
}

TEST_F(ClusterDnsIntegrationTest, UpstreamSeesARewrittenId) {
  StartDns();
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 5; ++i) {
    Message query;
    query.header.id = 0x4242;
    query.header.rd = true;
    query.questions.push_back(Question{"example.com", kTypeA, kClassIn});
    auto reply = ParseMessage(AskRaw(kDnsIp, 53, *SerializeMessage(query)));
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->header.id, 0x4242);
    ids.insert(upstream_->last_id());
  }
  EXPECT_GT(ids.size(), 1u) << "the id sent upstream is random per query";
}

TEST_F(ClusterDnsIntegrationTest, ServiceCreatedWhileRunningResolvesWithinASecond) {
  StartDns();
  auto before = Query("late.default.svc.cluster.local");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->header.rcode, kRcodeNxDomain);
  Create(Service("default", "late", {{"clusterIP", "10.43.57.30"}, {"ports", {{{"port", 80}}}}}));
  EXPECT_TRUE(WaitFor(
      [&] {
        auto reply = Query("late.default.svc.cluster.local");
        return reply && AddressesOf(*reply) == std::vector<std::uint32_t>{Ip("10.43.57.30")};
      },
      std::chrono::seconds(1)));
  // And gone again when deleted.
  ASSERT_TRUE(store_->Delete(manifests::ObjectKey{"Service", "default", "late"}).ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        auto reply = Query("late.default.svc.cluster.local");
        return reply && reply->header.rcode == kRcodeNxDomain;
      },
      std::chrono::seconds(1)));
}

TEST_F(ClusterDnsIntegrationTest, MalformedPacketsGetFormErrAndTheServerKeepsServing) {
  StartDns();
  std::string garbage = std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3f", 13);
  auto formerr = ParseMessage(AskRaw(kDnsIp, 53, garbage));
  ASSERT_TRUE(formerr.ok());
  EXPECT_EQ(formerr->header.id, 0x1234);
  EXPECT_EQ(formerr->header.rcode, kRcodeFormErr);
  EXPECT_EQ(AskRaw(kDnsIp, 53, "abc", false, std::chrono::milliseconds(300)), "");
  auto reply = Query("web.default.svc.cluster.local");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(AddressesOf(*reply), std::vector<std::uint32_t>{Ip("10.43.57.20")});
}

TEST_F(ClusterDnsIntegrationTest, StopKeepsTheRouteAndRemoveHostStateDeletesIt) {
  StartDns();
  EXPECT_TRUE(LocalRouteExists());
  dns_->Stop();
  EXPECT_TRUE(LocalRouteExists()) << "pods keep resolving across a restart";
  // A restart on the same address works with the route still there.
  dns_.reset();
  StartDns();
  ASSERT_TRUE(Query("web.default.svc.cluster.local").has_value());
  dns_->Stop();
  ASSERT_TRUE(dns_->RemoveHostState().ok());
  EXPECT_FALSE(LocalRouteExists());
  EXPECT_TRUE(dns_->RemoveHostState().ok()) << "removing twice succeeds";
  dns_.reset();
}

// Not a timed assertion: prints the rate one client gets for a cluster name over UDP.
TEST_F(ClusterDnsIntegrationTest, MeasuresQueriesPerSecond) {
  StartDns();
  Message query;
  query.header.rd = true;
  query.questions.push_back(Question{"web.default.svc.cluster.local", kTypeA, kClassIn});
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(Ip(kDnsIp));
  addr.sin_port = htons(53);
  ASSERT_EQ(connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{2, 0};
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  constexpr int kQueries = 20000;
  int answered = 0;
  std::string buf(1500, '\0');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kQueries; ++i) {
    query.header.id = static_cast<std::uint16_t>(i);
    std::string wire = *SerializeMessage(query);
    if (send(sock, wire.data(), wire.size(), 0) < 0) break;
    if (recv(sock, buf.data(), buf.size(), 0) > 0) ++answered;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  close(sock);
  EXPECT_EQ(answered, kQueries);
  double qps = answered / seconds;
  std::printf("cluster DNS: %d UDP queries for a cluster name from one client in %.3f s = %.0f queries/s\n",
              answered, seconds, qps);
  RecordProperty("queries_per_second", std::to_string(static_cast<long>(qps)));
}

}  // namespace
}  // namespace moor::netproxy::dns
