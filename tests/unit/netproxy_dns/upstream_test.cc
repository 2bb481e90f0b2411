#include "moor/netproxy/dns/upstream.h"

#include <gtest/gtest.h>

#include "moor/common/ipv4_cidr.h"

namespace moor::netproxy::dns {
namespace {

Upstream Up(const char* ip, std::uint16_t port = 53) { return Upstream{*ParseIpv4Address(ip), port}; }

TEST(DnsUpstreamTest, ParsesIpAndPort) {
  EXPECT_EQ(*ParseUpstream("127.0.0.1:5353"), Up("127.0.0.1", 5353));
  EXPECT_EQ(*ParseUpstream("192.0.2.1"), Up("192.0.2.1", 53));
  for (const char* bad : {"", "example.com", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3.4:53x", "::1", "[::1]:53"}) {
    auto up = ParseUpstream(bad);
    EXPECT_FALSE(up.ok()) << bad;
    if (!up.ok()) {
      EXPECT_EQ(up.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(up.status().message().find(bad), std::string::npos) << up.status().message();
    }
  }
  EXPECT_EQ(Up("192.0.2.1", 5353).ToString(), "192.0.2.1:5353");
}

TEST(DnsUpstreamTest, ReadsNameserversFromResolvConf) {
  std::string conf =
      "# generated\n"
      "search example.com\n"
      "nameserver 192.0.2.1\n"
      "nameserver   2001:db8::1\n"
      "nameserver 10.43.0.10\n"
      "nameserver 192.0.2.2 # trailing comment\n"
      "nameserver 192.0.2.1\n"
      "nameserver\n"
      "options ndots:5\n";
  EXPECT_EQ(NameserversFromResolvConf(conf, *ParseIpv4Address("10.43.0.10")),
            (std::vector<Upstream>{Up("192.0.2.1"), Up("192.0.2.2")}));
  EXPECT_TRUE(NameserversFromResolvConf("").empty());
}

TEST(DnsUpstreamTest, PrefersTheLastUpstreamThatAnswered) {
  UpstreamList list({Up("192.0.2.1"), Up("192.0.2.2"), Up("192.0.2.3")});
  EXPECT_EQ(list.Order(), (std::vector<Upstream>{Up("192.0.2.1"), Up("192.0.2.2"), Up("192.0.2.3")}));
  list.ReportFailure(Up("192.0.2.1"));
  EXPECT_EQ(list.Order(), (std::vector<Upstream>{Up("192.0.2.2"), Up("192.0.2.3"), Up("192.0.2.1")}));
  // A failure of one that is not preferred changes nothing.
  list.ReportFailure(Up("192.0.2.3"));
  EXPECT_EQ(list.Order().front(), Up("192.0.2.2"));
  list.ReportSuccess(Up("192.0.2.3"));
  EXPECT_EQ(list.Order(), (std::vector<Upstream>{Up("192.0.2.3"), Up("192.0.2.1"), Up("192.0.2.2")}));
  list.ReportFailure(Up("192.0.2.3"));
  EXPECT_EQ(list.Order().front(), Up("192.0.2.1"));
  EXPECT_TRUE(UpstreamList({}).Order().empty());
}

}  // namespace
}  // namespace moor::netproxy::dns
