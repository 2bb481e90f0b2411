#include "moor/netproxy/dns/query_handler.h"

#include <gtest/gtest.h>

#include "moor/common/ipv4_cidr.h"

namespace moor::netproxy::dns {
namespace {

ClusterView View() {
  ClusterView view;
  ServiceEntry web;
  web.ns = "default";
  web.name = "web";
  web.cluster_ip = *ParseIpv4Address("10.43.0.20");
  view.Add(web);
  ServiceEntry many;
  many.ns = "default";
  many.name = "many";
  many.type = ServiceEntry::Type::kHeadless;
  EndpointSubset subset;
  for (std::uint32_t i = 1; i <= 100; ++i) subset.addresses.push_back(EndpointAddress{0x0A2A0000 + i, ""});
  many.subsets.push_back(subset);
  view.Add(many);
  return view;
}

std::string Query(const std::string& name, std::uint16_t type = kTypeA, std::optional<std::uint16_t> edns = std::nullopt) {
  Message m;
  m.header.id = 0x1234;
  m.header.rd = true;
  m.questions.push_back(Question{name, type, kClassIn});
  if (edns) m.additional.push_back(Record::Opt(*edns));
  return *SerializeMessage(m);
}

Message Handle(const std::string& wire, Transport transport = Transport::kUdp) {
  QueryHandler handler(ResolverConfig{}, nullptr);
  auto reply = handler.Handle(wire, transport, View(), false);
  EXPECT_TRUE(reply.has_value());
  auto m = ParseMessage(reply.value_or(""));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : Message{};
}

TEST(DnsQueryHandlerTest, AnswersClusterNamesAuthoritatively) {
  Message reply = Handle(Query("Web.Default.svc.cluster.local"));
  EXPECT_EQ(reply.header.id, 0x1234);
  EXPECT_TRUE(reply.header.qr);
  EXPECT_TRUE(reply.header.aa);
  EXPECT_TRUE(reply.header.rd);
  EXPECT_EQ(reply.header.rcode, kRcodeNoError);
  ASSERT_EQ(reply.questions.size(), 1u);
  EXPECT_EQ(reply.questions[0].name, "Web.Default.svc.cluster.local");
  ASSERT_EQ(reply.answers.size(), 1u);
  EXPECT_EQ(reply.answers[0], Record::A("Web.Default.svc.cluster.local", 5, *ParseIpv4Address("10.43.0.20")));
  EXPECT_EQ(reply.Edns(), nullptr);

  Message nx = Handle(Query("nope.default.svc.cluster.local"));
  EXPECT_EQ(nx.header.rcode, kRcodeNxDomain);
  ASSERT_EQ(nx.authority.size(), 1u);
  EXPECT_EQ(nx.authority[0].type, kTypeSoa);
}

TEST(DnsQueryHandlerTest, MalformedQueriesGetFormErrOrNothing) {
  std::string q = Query("web.default.svc.cluster.local");
  Message formerr = Handle(q.substr(0, q.size() - 2));
  EXPECT_EQ(formerr.header.id, 0x1234);
  EXPECT_EQ(formerr.header.rcode, kRcodeFormErr);
  EXPECT_TRUE(formerr.questions.empty());

  std::string two = q;
  two[5] = 2;  // claims two questions
  EXPECT_EQ(Handle(two).header.rcode, kRcodeFormErr);
  std::string none = q.substr(0, 12);
  none[5] = 0;
  EXPECT_EQ(Handle(none).header.rcode, kRcodeFormErr);

  std::string notify = q;
  notify[2] = static_cast<char>(4 << 3);  // opcode NOTIFY
  EXPECT_EQ(Handle(notify).header.rcode, kRcodeNotImp);

  QueryHandler handler(ResolverConfig{}, nullptr);
  EXPECT_EQ(handler.Handle(q.substr(0, 5), Transport::kUdp, View(), false), std::string());
  std::string response = q;
  response[2] = static_cast<char>(0x80);
  EXPECT_EQ(handler.Handle(response, Transport::kUdp, View(), false), std::string());
}

TEST(DnsQueryHandlerTest, OutsideNamesWithoutUpstreamAreServFail) {
  Message reply = Handle(Query("example.com"));
  EXPECT_EQ(reply.header.rcode, kRcodeServFail);
  ASSERT_EQ(reply.questions.size(), 1u);
  EXPECT_EQ(reply.questions[0].name, "example.com");
}

TEST(DnsQueryHandlerTest, NeedsABlockingCallToForward) {
  UpstreamForwarder forwarder({Upstream{*ParseIpv4Address("127.0.0.1"), 9}}, std::chrono::milliseconds(10));
  QueryHandler handler(ResolverConfig{}, &forwarder);
  EXPECT_EQ(handler.Handle(Query("example.com"), Transport::kUdp, View(), false), std::nullopt);
  EXPECT_TRUE(handler.Handle(Query("web.default.svc.cluster.local"), Transport::kUdp, View(), false).has_value());
}

TEST(DnsQueryHandlerTest, LongAnswersAreTruncatedOverUdpOnly) {
  Message udp = Handle(Query("many.default.svc.cluster.local"));
  EXPECT_TRUE(udp.header.tc);
  EXPECT_TRUE(udp.answers.empty());

  Message edns = Handle(Query("many.default.svc.cluster.local", kTypeA, 4096));
  EXPECT_TRUE(edns.header.tc);  // 100 x 16 bytes > 1232
  ASSERT_NE(edns.Edns(), nullptr);
  EXPECT_EQ(edns.Edns()->klass, 1232);

  Message tcp = Handle(Query("many.default.svc.cluster.local"), Transport::kTcp);
  EXPECT_FALSE(tcp.header.tc);
  EXPECT_EQ(tcp.answers.size(), 100u);
}

}  // namespace
}  // namespace moor::netproxy::dns
