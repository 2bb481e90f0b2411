// Services on real parts, as a user meets them: a folder with two pods and a Service becomes a
// ClusterIP that load-balances over the ready pods — from the host and from inside a pod — through
// the service proxy's nftables table, and a name the pods resolve through the cluster DNS;
// readiness moves a pod out of the rotation; a Service with no ready pod refuses at once; a
// NodePort Service answers on its node port at the node's bridge gateway address. Needs root; MoorNode removes the table, routes and pods.
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "e2e_fixture.h"

namespace moor::e2e {
namespace {

using std::chrono::seconds;
using testing::WaitFor;

class ServiceE2eTest : public E2eTest {
 protected:
  // A busybox httpd pod whose index.html is its own name, labelled app=web, with a readiness
  // probe on the page (removing the page makes the pod NotReady).
  static std::string WebPod(const std::string& name) {
    return R"Y(apiVersion: v1
kind: Pod
metadata:
  name: )Y" + name + R"Y(
  labels: {app: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox:1.36
    command: ["sh", "-c", "mkdir -p /tmp/w && hostname > /tmp/w/index.html && exec httpd -f -p 8000 -h /tmp/w"]
    ports:
    - {name: http, containerPort: 8000}
    readinessProbe:
      httpGet: {path: /index.html, port: http}
      periodSeconds: 1
      failureThreshold: 1
)Y";
  }

  static constexpr char kService[] = R"Y(apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
)Y";

  // The Service's clusterIP once the allocator gave it one.
  std::string ClusterIp() {
    std::string ip;
    WaitFor(
        [&] {
          nlohmann::json svc = node_->Get("svc", "web");
          ip = svc.is_object() ? svc["spec"].value("clusterIP", "") : "";
          return !ip.empty();
        },
        seconds(20));
    return ip;
  }

  // The names answering on `url` over `n` requests from the host.
  static std::multiset<std::string> Answers(const std::string& url, int n) {
    std::multiset<std::string> seen;
    for (int i = 0; i < n; ++i) seen.insert(HttpGet(url));
    return seen;
  }

  int ReadyAddresses() {
    nlohmann::json ep = node_->Get("endpoints", "web");
    int n = 0;
    if (!ep.is_object()) return -1;
    for (const auto& subset : ep.value("subsets", nlohmann::json::array())) {
      n += static_cast<int>(subset.value("addresses", nlohmann::json::array()).size());
    }
    return n;
  }
};

TEST_F(ServiceE2eTest, TwoPodsAnswerThroughTheClusterIpFromTheHostAndFromAPod) {
  node_->WriteManifest("web.yaml", WebPod("web-a") + "---\n" + WebPod("web-b") + "---\n" + kService);
  WaitRunningReady("web-a");
  WaitRunningReady("web-b");
  std::string ip = ClusterIp();
  ASSERT_TRUE(std::regex_match(ip, std::regex(R"(10\.43\.\d+\.\d+)"))) << ip;
  // The allocator took it from this node's own range.
  EXPECT_EQ(ip.substr(0, ip.rfind('.')), node_->service_cidr().substr(0, node_->service_cidr().rfind('.')));
  ASSERT_TRUE(WaitFor([&] { return ReadyAddresses() == 2; }, seconds(20))) << node_->Get("endpoints", "web").dump(2);

  auto get = node_->Moor({"get", "svc", "web"});
  EXPECT_NE(get.out.find(ip), std::string::npos) << get.out;

  // From the host: both pods take turns behind the one address.
  std::string url = "http://" + ip + "/";
  ASSERT_TRUE(WaitFor([&] { return !HttpGet(url).empty(); }, seconds(10))) << "the ClusterIP never answered";
  auto seen = Answers(url, 30);
  EXPECT_EQ(seen.count(""), 0u) << "some requests failed";
  EXPECT_GT(seen.count("web-a\n"), 0u);
  EXPECT_GT(seen.count("web-b\n"), 0u);

  // From inside a pod, including a pod reaching itself through its own Service (hairpin).
  std::set<std::string> from_pod;
  for (int i = 0; i < 20; ++i) {
    auto r = node_->Moor({"exec", "web-a", "--", "wget", "-q", "-O", "-", url});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    from_pod.insert(r.out);
  }
  EXPECT_EQ(from_pod, (std::set<std::string>{"web-a\n", "web-b\n"}));

  // By name: the pod's resolv.conf names the node's cluster DNS, whose search path finds `web`.
  auto by_name = node_->Moor({"exec", "web-b", "--", "wget", "-q", "-O", "-", "http://web/"});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_TRUE(by_name.out == "web-a\n" || by_name.out == "web-b\n") << by_name.out;
  auto lookup = node_->Moor({"exec", "web-b", "--", "nslookup", "web.default.svc.cluster.local"});
  EXPECT_NE(lookup.out.find(ip), std::string::npos) << lookup.out << lookup.err;
  auto resolv = node_->Moor({"exec", "web-b", "--", "cat", "/etc/resolv.conf"});
  EXPECT_NE(resolv.out.find("nameserver " + node_->cluster_dns()), std::string::npos) << resolv.out;
}

TEST_F(ServiceE2eTest, ANotReadyPodLeavesTheRotationAndNoReadyPodRefusesAtOnce) {
  node_->WriteManifest("web.yaml", WebPod("web-a") + "---\n" + WebPod("web-b") + "---\n" + kService);
  WaitRunningReady("web-a");
  WaitRunningReady("web-b");
  std::string url = "http://" + ClusterIp() + "/";
  ASSERT_TRUE(WaitFor([&] { return ReadyAddresses() == 2; }, seconds(20)));

  // web-b's page goes: its readiness probe fails, the Endpoints drop it, the proxy follows.
  auto rm = node_->Moor({"exec", "web-b", "--", "rm", "/tmp/w/index.html"});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  ASSERT_TRUE(WaitFor([&] { return ReadyAddresses() == 1; }, seconds(20))) << node_->Get("endpoints", "web").dump(2);
  ASSERT_TRUE(WaitFor([&] { return Answers(url, 10).count("web-a\n") == 10; }, seconds(10)))
      << "web-b still receives requests";

  // No ready pod: a client is refused at once (curl exit 7), not left to time out.
  node_->WriteManifest("web.yaml", WebPod("web-b") + "---\n" + kService);
  ASSERT_TRUE(WaitFor([&] { return ReadyAddresses() == 0; }, seconds(30))) << node_->Get("endpoints", "web").dump(2);
  bool refused = WaitFor(
      [&] {
        auto r = testing::RunCommand({"curl", "-s", "-m", "5", "--noproxy", "*", url}, {}, "", seconds(10));
        return r.exit_code == 7;
      },
      seconds(10));
  EXPECT_TRUE(refused) << "a Service without ready endpoints should refuse connections";

  // The Service goes with its file; so do its Endpoints.
  node_->RemoveManifest("web.yaml");
  EXPECT_TRUE(WaitFor([&] { return !node_->Get("endpoints", "web").is_object(); }, seconds(30)));
}

TEST_F(ServiceE2eTest, ANodePortServiceAnswersOnTheBridgeGatewayAtItsNodePort) {
  node_->WriteManifest("web.yaml", WebPod("web-a") + "---\n" + WebPod("web-b") + "---\n" + R"Y(apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
)Y");
  WaitRunningReady("web-a");
  WaitRunningReady("web-b");
  // The first port's nodePort, 0 until allocated.
  auto node_port_of = [&] {
    nlohmann::json svc = node_->Get("svc", "web");
    return svc.is_object() ? svc.value(nlohmann::json::json_pointer("/spec/ports/0/nodePort"), 0) : 0;
  };
  int node_port = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        node_port = node_port_of();
        return node_port != 0;
      },
      seconds(20)))
      << node_->Get("svc", "web").dump(2);
  // The lowest free port of the node's own range (serviceNodePortRange).
  EXPECT_EQ(std::to_string(node_port), node_->node_port_range().substr(0, node_->node_port_range().find('-')));
  ASSERT_TRUE(WaitFor([&] { return ReadyAddresses() == 2; }, seconds(20))) << node_->Get("endpoints", "web").dump(2);

  // Network safety: only the address this test's daemon put on its own bridge.
  const std::string subnet = node_->pod_subnet();
  const std::string gateway = subnet.substr(0, subnet.rfind('.')) + ".1";
  ASSERT_TRUE(std::regex_match(gateway, std::regex(R"(10\.42\.\d+\.1)"))) << gateway;
  std::string url = "http://" + gateway + ":" + std::to_string(node_port) + "/";
  ASSERT_TRUE(WaitFor([&] { return !HttpGet(url).empty(); }, seconds(10))) << "the node port never answered on " << url;
  auto seen = Answers(url, 30);
  EXPECT_EQ(seen.count(""), 0u) << "some requests failed";
  EXPECT_GT(seen.count("web-a\n"), 0u);
  EXPECT_GT(seen.count("web-b\n"), 0u);

  // A sync of the unchanged file keeps the node port.
  node_->WriteManifest("web.yaml", WebPod("web-a") + "---\n" + WebPod("web-b") + "---\n" + R"Y(apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {touched: "yes"}
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
)Y");
  ASSERT_TRUE(WaitFor(
      [&] {
        nlohmann::json svc = node_->Get("svc", "web");
        return svc.is_object() && svc.value(nlohmann::json::json_pointer("/metadata/labels/touched"), "") == "yes";
      },
      seconds(20)))
      << node_->Get("svc", "web").dump(2);
  EXPECT_EQ(node_port_of(), node_port);
}

}  // namespace
}  // namespace moor::e2e
