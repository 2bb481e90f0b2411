// BuildServiceTable: which Services and which Endpoints addresses become proxy entries.
#include "moor/netproxy/service_table.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace moor::netproxy {
namespace {

using nlohmann::json;

json Service(const std::string& ns, const std::string& name, const std::string& cluster_ip, json ports,
             const std::string& type = "ClusterIP") {
  json svc = {{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"namespace", ns}, {"name", name}}},
              {"spec", {{"type", type}, {"ports", ports}}}};
  if (!cluster_ip.empty()) svc["spec"]["clusterIP"] = cluster_ip;
  return svc;
}

json Endpoints(const std::string& ns, const std::string& name, json subsets) {
  return {{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", {{"namespace", ns}, {"name", name}}},
          {"subsets", subsets}};
}

json Addresses(std::initializer_list<std::string> ips) {
  json out = json::array();
  for (const auto& ip : ips) out.push_back({{"ip", ip}, {"nodeName", "n1"}});
  return out;
}

TEST(ServiceTableTest, SingleUnnamedPortGetsReadyAddressesAtTheTargetPort) {
  auto table = BuildServiceTable(
      {Service("default", "web", "10.43.0.20", json::array({{{"port", 80}, {"targetPort", 8080}}}))},
      {Endpoints("default", "web",
                 json::array({{{"addresses", Addresses({"10.42.0.9", "10.42.0.3"})},
                               {"notReadyAddresses", Addresses({"10.42.0.4"})},
                               {"ports", json::array({{{"port", 8080}, {"protocol", "TCP"}}})}}}))});
  ASSERT_EQ(table.ports.size(), 1u);
  const ServicePort& p = table.ports[0];
  EXPECT_EQ(p.cluster_ip, "10.43.0.20");
  EXPECT_EQ(p.protocol, "tcp");
  EXPECT_EQ(p.port, 80);
  EXPECT_EQ(p.ns, "default");
  EXPECT_EQ(p.name, "web");
  EXPECT_EQ(p.port_name, "");
  // Sorted numerically; the not-ready address is not a backend.
  EXPECT_EQ(p.backends, (std::vector<Backend>{{"10.42.0.3", 8080}, {"10.42.0.9", 8080}}));
}

TEST(ServiceTableTest, NamedPortsMatchEndpointPortsByNameAndProtocol) {
  auto table = BuildServiceTable(
      {Service("kube-system", "dns", "10.43.0.10",
               json::array({{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                            {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}},
                            {{"name", "metrics"}, {"port", 9153}}}))},
      {Endpoints("kube-system", "dns",
                 json::array({{{"addresses", Addresses({"10.42.0.5"})},
                               {"ports", json::array({{{"name", "dns-tcp"}, {"port", 5353}, {"protocol", "TCP"}},
                                                      {{"name", "dns"}, {"port", 5353}, {"protocol", "UDP"}},
                                                      {{"name", "metrics"}, {"port", 9153}, {"protocol", "TCP"}}})}},
                              {{"addresses", Addresses({"10.42.0.6"})},
                               {"ports", json::array({{{"name", "metrics"}, {"port", 9999}, {"protocol", "TCP"}}})}}}))});
  ASSERT_EQ(table.ports.size(), 3u);
  // Order: address, protocol, port.
  EXPECT_EQ(table.ports[0].protocol, "tcp");
  EXPECT_EQ(table.ports[0].port, 53);
  EXPECT_EQ(table.ports[0].port_name, "dns-tcp");
  EXPECT_EQ(table.ports[0].backends, (std::vector<Backend>{{"10.42.0.5", 5353}}));
  EXPECT_EQ(table.ports[1].protocol, "tcp");
  EXPECT_EQ(table.ports[1].port, 9153);
  EXPECT_EQ(table.ports[1].backends, (std::vector<Backend>{{"10.42.0.5", 9153}, {"10.42.0.6", 9999}}));
  EXPECT_EQ(table.ports[2].protocol, "udp");
  EXPECT_EQ(table.ports[2].port, 53);
  EXPECT_EQ(table.ports[2].backends, (std::vector<Backend>{{"10.42.0.5", 5353}}));
}

TEST(ServiceTableTest, SkipsHeadlessExternalNameAndUnallocatedServices) {
  json ports = json::array({{{"port", 80}}});
  auto table = BuildServiceTable({Service("default", "headless", "None", ports),
                                  Service("default", "ext", "", ports, "ExternalName"),
                                  Service("default", "pending", "", ports),
                                  Service("default", "v6", "fd00::1", ports),
                                  Service("default", "bad-port", "10.43.0.30", json::array({{{"port", 0}}})),
                                  Service("default", "ok", "10.43.0.31", ports)},
                                 {});
  ASSERT_EQ(table.ports.size(), 1u);
  EXPECT_EQ(table.ports[0].name, "ok");
  EXPECT_TRUE(table.ports[0].backends.empty()) << "no Endpoints object: no backends, still an entry";
}

TEST(ServiceTableTest, NodePortAndLoadBalancerServicesCarryTheirNodePorts) {
  json ports = json::array({{{"port", 80}, {"nodePort", 30080}}, {{"port", 81}}, {{"port", 82}, {"nodePort", 70000}}});
  auto table = BuildServiceTable({Service("default", "np", "10.43.0.20", ports, "NodePort"),
                                  Service("default", "lb", "10.43.0.21", ports, "LoadBalancer"),
                                  Service("default", "ci", "10.43.0.22", ports)},
                                 {});
  ASSERT_EQ(table.ports.size(), 9u);
  std::vector<int> node_ports;
  for (const ServicePort& p : table.ports) node_ports.push_back(p.node_port);
  // Not yet allocated or out of range: 0; a ClusterIP Service's nodePort is ignored.
  EXPECT_EQ(node_ports, (std::vector<int>{30080, 0, 0, 30080, 0, 0, 0, 0, 0}));
}

TEST(ServiceTableTest, EndpointsOfAnotherNamespaceDoNotCount) {
  auto table = BuildServiceTable(
      {Service("a", "web", "10.43.0.20", json::array({{{"port", 80}}}))},
      {Endpoints("b", "web", json::array({{{"addresses", Addresses({"10.42.0.3"})},
                                            {"ports", json::array({{{"port", 80}, {"protocol", "TCP"}}})}}}))});
  ASSERT_EQ(table.ports.size(), 1u);
  EXPECT_TRUE(table.ports[0].backends.empty());
}

TEST(ServiceTableTest, OrderIsDeterministicAndIndependentOfInputOrder) {
  json ports = json::array({{{"port", 80}}});
  auto s1 = Service("default", "one", "10.43.0.9", ports);
  auto s2 = Service("default", "two", "10.43.0.10", ports);
  auto s3 = Service("other", "three", "10.43.1.2", ports);
  auto a = BuildServiceTable({s1, s2, s3}, {});
  auto b = BuildServiceTable({s3, s2, s1}, {});
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.ports.size(), 3u);
  EXPECT_EQ(a.ports[0].cluster_ip, "10.43.0.9");  // numeric, not string, order
  EXPECT_EQ(a.ports[1].cluster_ip, "10.43.0.10");
  EXPECT_EQ(a.ports[2].cluster_ip, "10.43.1.2");
}

TEST(ServiceTableTest, MalformedFieldsReadAsAbsent) {
  json svc = Service("default", "web", "10.43.0.20", json::array({{{"port", "eighty"}}, {{"port", 80}}}));
  json ep = Endpoints("default", "web", json::array({{{"addresses", json::array({{{"ip", 7}}, {{"ip", "10.42.0.2"}}})},
                                                      {"ports", "not-a-list"}},
                                                     "garbage"}));
  auto table = BuildServiceTable({svc, json("not an object")}, {ep});
  ASSERT_EQ(table.ports.size(), 1u);
  EXPECT_TRUE(table.ports[0].backends.empty());
}

}  // namespace
}  // namespace moor::netproxy
