#include "moor/netproxy/dns/resolver.h"

#include <gtest/gtest.h>

#include "moor/common/ipv4_cidr.h"

namespace moor::netproxy::dns {
namespace {

using manifests::Object;

std::uint32_t Ip(const char* text) { return *ParseIpv4Address(text); }

Object Service(const std::string& ns, const std::string& name, Object spec) {
  return Object{{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"namespace", ns}, {"name", name}}}, {"spec", spec}};
}

Object Endpoints(const std::string& ns, const std::string& name, Object subsets) {
  return Object{{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", {{"namespace", ns}, {"name", name}}}, {"subsets", subsets}};
}

ClusterView TestView() {
  std::vector<Object> services = {
      Service("default", "web", {{"clusterIP", "10.43.0.20"},
                                 {"ports", {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}},
                                            {{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}}}}}),
      Service("default", "single", {{"clusterIP", "10.43.0.21"}, {"ports", {{{"port", 8080}}}}}),
      Service("default", "pending", {{"ports", {{{"port", 8080}}}}}),
      Service("db", "pg", {{"clusterIP", "None"}, {"ports", {{{"name", "sql"}, {"port", 5432}}}}}),
      Service("db", "empty", {{"clusterIP", "None"}}),
      Service("default", "ext", {{"type", "ExternalName"}, {"externalName", "Example.COM."}}),
      Service("default", "alias", {{"type", "ExternalName"}, {"externalName", "web.default.svc.cluster.local"}}),
  };
  std::vector<Object> endpoints = {
      Endpoints("db", "pg",
                {{{"addresses", {{{"ip", "10.42.0.5"}, {"hostname", "pg-0"}}, {{"ip", "10.42.0.6"}}}},
                  {"notReadyAddresses", {{{"ip", "10.42.0.9"}, {"hostname", "pg-2"}}}},
                  {"ports", {{{"name", "sql"}, {"port", 5432}, {"protocol", "TCP"}}}}}}),
      Endpoints("default", "web", {{{"addresses", {{{"ip", "10.42.0.7"}}}}, {"ports", {{{"name", "http"}, {"port", 8080}}}}}}),
  };
  return ClusterView::Build(services, endpoints);
}

Resolution Ask(const std::string& name, std::uint16_t type = kTypeA) {
  static const ClusterView view = TestView();
  return Resolve(Question{name, type, kClassIn}, view, ResolverConfig{});
}

std::vector<std::uint32_t> AddressesOf(const Resolution& r) {
  std::vector<std::uint32_t> out;
  for (const Record& rec : r.answers) {
    if (rec.type == kTypeA) out.push_back(rec.ipv4);
  }
  return out;
}

TEST(DnsResolverTest, AnswersARecords) {
  struct Case {
    std::string name;
    std::vector<std::uint32_t> addresses;
  };
  std::vector<Case> cases = {
      {"web.default.svc.cluster.local", {Ip("10.43.0.20")}},
      {"WEB.Default.SVC.cluster.LOCAL", {Ip("10.43.0.20")}},
      {"web.default.svc.cluster.local.", {Ip("10.43.0.20")}},
      {"single.default.svc.cluster.local", {Ip("10.43.0.21")}},
      {"pg.db.svc.cluster.local", {Ip("10.42.0.5"), Ip("10.42.0.6")}},  // ready only
      {"pg-0.pg.db.svc.cluster.local", {Ip("10.42.0.5")}},
      {"10-42-0-6.pg.db.svc.cluster.local", {Ip("10.42.0.6")}},
      {"10-42-0-99.default.pod.cluster.local", {Ip("10.42.0.99")}},
  };
  for (const Case& c : cases) {
    Resolution r = Ask(c.name);
    EXPECT_TRUE(r.in_zone) << c.name;
    EXPECT_EQ(r.rcode, kRcodeNoError) << c.name;
    EXPECT_EQ(AddressesOf(r), c.addresses) << c.name;
    for (const Record& rec : r.answers) {
      EXPECT_EQ(rec.name, c.name);  // as asked
      EXPECT_EQ(rec.ttl, 5u);
    }
  }
}

TEST(DnsResolverTest, NxDomainWithSoaForUnknownClusterNames) {
  for (std::string name : {"nope.default.svc.cluster.local", "web.other.svc.cluster.local",
                           "pg-2.pg.db.svc.cluster.local",         // not ready
                           "x.web.default.svc.cluster.local",      // not headless
                           "other.cluster.local", "a.b.c.d.e.web.default.svc.cluster.local",
                           "nope.default.pod.cluster.local", "1-2-3.default.pod.cluster.local",
                           "_nope._tcp.web.default.svc.cluster.local", "_http._udp.web.default.svc.cluster.local",
                           "_tcp.single.default.svc.cluster.local", "nosuchns.svc.cluster.local"}) {
    for (std::uint16_t type : {kTypeA, kTypeAaaa, kTypeSrv}) {
      Resolution r = Ask(name, type);
      EXPECT_TRUE(r.in_zone) << name;
      EXPECT_EQ(r.rcode, kRcodeNxDomain) << name << " type " << type;
      EXPECT_TRUE(r.answers.empty()) << name;
      ASSERT_EQ(r.authority.size(), 1u) << name;
      EXPECT_EQ(r.authority[0].type, kTypeSoa);
      EXPECT_EQ(r.authority[0].name, "cluster.local");
      EXPECT_EQ(r.authority[0].soa.mname, "ns.dns.cluster.local");
    }
  }
}

TEST(DnsResolverTest, NoDataForNamesThatExistWithoutThatType) {
  for (auto [name, type] : std::vector<std::pair<std::string, std::uint16_t>>{
           {"web.default.svc.cluster.local", kTypeAaaa},
           {"web.default.svc.cluster.local", kTypeTxt},
           {"pg.db.svc.cluster.local", kTypeAaaa},
           {"pg-0.pg.db.svc.cluster.local", kTypeAaaa},
           {"empty.db.svc.cluster.local", kTypeA},     // headless, no ready address
           {"pending.default.svc.cluster.local", kTypeA},  // no clusterIP yet
           {"10-42-0-99.default.pod.cluster.local", kTypeAaaa},
           {"_http._tcp.web.default.svc.cluster.local", kTypeA},
           {"_tcp.web.default.svc.cluster.local", kTypeA},
           {"default.svc.cluster.local", kTypeA},
           {"svc.cluster.local", kTypeA},
           {"pod.cluster.local", kTypeA},
           {"cluster.local", kTypeA},
       }) {
    Resolution r = Ask(name, type);
    EXPECT_TRUE(r.in_zone) << name;
    EXPECT_EQ(r.rcode, kRcodeNoError) << name << " type " << type;
    EXPECT_TRUE(r.answers.empty()) << name;
    ASSERT_EQ(r.authority.size(), 1u) << name;
    EXPECT_EQ(r.authority[0].type, kTypeSoa) << name;
  }
}

TEST(DnsResolverTest, SrvForNamedPorts) {
  Resolution r = Ask("_http._tcp.web.default.svc.cluster.local", kTypeSrv);
  EXPECT_EQ(r.rcode, kRcodeNoError);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0], Record::Srv("_http._tcp.web.default.svc.cluster.local", 5, 0, 100, 80,
                                      "web.default.svc.cluster.local"));
  ASSERT_EQ(r.additional.size(), 1u);
  EXPECT_EQ(r.additional[0], Record::A("web.default.svc.cluster.local", 5, Ip("10.43.0.20")));

  Resolution udp = Ask("_DNS._UDP.web.default.svc.cluster.local", kTypeSrv);
  ASSERT_EQ(udp.answers.size(), 1u);
  EXPECT_EQ(udp.answers[0].port, 53);

  // Headless: one record per ready address, on the endpoint port, targets by hostname or dashes.
  Resolution headless = Ask("_sql._tcp.pg.db.svc.cluster.local", kTypeSrv);
  ASSERT_EQ(headless.answers.size(), 2u);
  EXPECT_EQ(headless.answers[0].target, "pg-0.pg.db.svc.cluster.local");
  EXPECT_EQ(headless.answers[1].target, "10-42-0-6.pg.db.svc.cluster.local");
  EXPECT_EQ(headless.answers[0].port, 5432);
  EXPECT_EQ(headless.answers[0].weight, 50);
  ASSERT_EQ(headless.additional.size(), 2u);
  EXPECT_EQ(headless.additional[1], Record::A("10-42-0-6.pg.db.svc.cluster.local", 5, Ip("10.42.0.6")));
}

TEST(DnsResolverTest, ExternalNameIsACname) {
  for (std::uint16_t type : {kTypeA, kTypeAaaa, kTypeCname}) {
    Resolution r = Ask("ext.default.svc.cluster.local", type);
    EXPECT_EQ(r.rcode, kRcodeNoError);
    ASSERT_EQ(r.answers.size(), 1u);
    EXPECT_EQ(r.answers[0], Record::Cname("ext.default.svc.cluster.local", 5, "example.com"));
    EXPECT_EQ(r.chase, type == kTypeCname ? "" : "example.com");
  }
  // A target inside the zone is not chased upstream.
  Resolution alias = Ask("alias.default.svc.cluster.local");
  ASSERT_EQ(alias.answers.size(), 1u);
  EXPECT_EQ(alias.chase, "");
}

TEST(DnsResolverTest, ApexAnswersSoaAndNs) {
  Resolution soa = Ask("cluster.local", kTypeSoa);
  ASSERT_EQ(soa.answers.size(), 1u);
  EXPECT_EQ(soa.answers[0].type, kTypeSoa);
  Resolution ns = Ask("Cluster.Local", kTypeNs);
  ASSERT_EQ(ns.answers.size(), 1u);
  EXPECT_EQ(ns.answers[0].target, "ns.dns.cluster.local");
}

TEST(DnsResolverTest, NamesOutsideTheDomainAreNotInZone) {
  for (std::string name : {"example.com", "local", "", "notcluster.local", "cluster.local.example.com",
                           "1.0.43.10.in-addr.arpa"}) {  // no Service has 10.43.0.1 here
    EXPECT_FALSE(Ask(name).in_zone) << name;
  }
}

TEST(DnsResolverTest, ReverseLookupsOfClusterAddresses) {
  struct Case {
    std::string name;
    std::string target;  // "" = not in the zone (forwarded)
  };
  std::vector<Case> cases = {
      {"20.0.43.10.in-addr.arpa", "web.default.svc.cluster.local"},
      {"20.0.43.10.IN-ADDR.ARPA.", "web.default.svc.cluster.local"},
      {"5.0.42.10.in-addr.arpa", "pg-0.pg.db.svc.cluster.local"},
      {"6.0.42.10.in-addr.arpa", "10-42-0-6.pg.db.svc.cluster.local"},
      {"7.0.42.10.in-addr.arpa", ""},  // an endpoint of a ClusterIP Service: not named
      {"9.0.42.10.in-addr.arpa", ""},  // not ready
      {"8.8.8.8.in-addr.arpa", ""},
      {"020.0.43.10.in-addr.arpa", ""},
      {"0.43.10.in-addr.arpa", ""},
  };
  for (const Case& c : cases) {
    Resolution r = Ask(c.name, kTypePtr);
    EXPECT_EQ(r.in_zone, !c.target.empty()) << c.name;
    if (c.target.empty()) continue;
    ASSERT_EQ(r.answers.size(), 1u) << c.name;
    EXPECT_EQ(r.answers[0].type, kTypePtr);
    EXPECT_EQ(r.answers[0].name, c.name);
    EXPECT_EQ(r.answers[0].target, c.target);
  }
  Resolution a = Ask("20.0.43.10.in-addr.arpa", kTypeA);
  EXPECT_TRUE(a.in_zone);
  EXPECT_EQ(a.rcode, kRcodeNoError);
  EXPECT_TRUE(a.answers.empty());
}

TEST(DnsResolverTest, OtherClassesAreRefused) {
  Resolution r = Resolve(Question{"web.default.svc.cluster.local", kTypeA, 3}, TestView(), ResolverConfig{});
  EXPECT_TRUE(r.in_zone);
  EXPECT_EQ(r.rcode, kRcodeRefused);
}

TEST(DnsResolverTest, OtherDomain) {
  ResolverConfig config;
  config.domain = "corp.internal";
  Resolution r = Resolve(Question{"web.default.svc.corp.internal", kTypeA, kClassIn}, TestView(), config);
  EXPECT_EQ(AddressesOf(r), std::vector<std::uint32_t>{Ip("10.43.0.20")});
  EXPECT_FALSE(Resolve(Question{"web.default.svc.cluster.local", kTypeA, kClassIn}, TestView(), config).in_zone);
}

}  // namespace
}  // namespace moor::netproxy::dns
