#include "moor/common/ipv4_cidr.h"

#include <gtest/gtest.h>

namespace moor {
namespace {

TEST(CniIpv4CidrTest, ParsesCanonicalPrefixes) {
  struct Case {
    const char* text;
    bool ok;
    const char* round_trip;
  } cases[] = {
      {"10.42.0.0/16", true, "10.42.0.0/16"},
      {"10.42.200.0/24", true, "10.42.200.0/24"},
      {"0.0.0.0/0", true, "0.0.0.0/0"},
      {"192.168.1.7/32", true, "192.168.1.7/32"},
      {"10.42.0.1/16", false, ""},   // host bits set
      {"10.42.0.0", false, ""},      // no prefix length
      {"10.42.0.0/33", false, ""},
      {"10.42.0.0/-1", false, ""},
      {"10.42.0/16", false, ""},
      {"10.42.0.0.0/16", false, ""},
      {"10.256.0.0/16", false, ""},
      {"10.042.0.0/16", false, ""},  // no octal-looking octets
      {"a.b.c.d/8", false, ""},
      {"fd00::/64", false, ""},
      {"", false, ""},
  };
  for (const auto& c : cases) {
    auto parsed = Ipv4Cidr::Parse(c.text);
    EXPECT_EQ(parsed.ok(), c.ok) << c.text;
    if (parsed.ok()) {
      EXPECT_EQ(parsed->ToString(), c.round_trip);
    } else {
      EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << c.text;
    }
  }
}

TEST(CniIpv4CidrTest, HostBitsErrorSuggestsTheNetwork) {
  auto parsed = Ipv4Cidr::Parse("10.42.0.1/16");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("did you mean 10.42.0.0/16"), std::string::npos)
      << parsed.status().message();
}

TEST(CniIpv4CidrTest, ContainmentAndOverlap) {
  struct Case {
    const char* outer;
    const char* inner;
    bool contains;
    bool overlaps;
  } cases[] = {
      {"10.42.0.0/16", "10.42.0.0/24", true, true},
      {"10.42.0.0/16", "10.42.255.0/24", true, true},
      {"10.42.0.0/16", "10.42.0.0/16", true, true},
      {"10.42.0.0/16", "10.43.0.0/24", false, false},
      {"10.42.0.0/16", "10.0.0.0/8", false, true},  // wider, not inside
      {"10.42.0.0/16", "10.43.0.0/16", false, false},
      {"0.0.0.0/0", "10.43.0.0/16", true, true},
  };
  for (const auto& c : cases) {
    auto outer = Ipv4Cidr::Parse(c.outer);
    auto inner = Ipv4Cidr::Parse(c.inner);
    ASSERT_TRUE(outer.ok() && inner.ok());
    EXPECT_EQ(outer->Contains(*inner), c.contains) << c.outer << " contains " << c.inner;
    EXPECT_EQ(outer->Overlaps(*inner), c.overlaps) << c.outer << " overlaps " << c.inner;
  }
}

TEST(CniIpv4CidrTest, Addresses) {
  auto a = ParseIpv4Address("10.42.7.9");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FormatIpv4Address(*a), "10.42.7.9");
  auto net = Ipv4Cidr::Parse("10.42.7.0/24");
  ASSERT_TRUE(net.ok());
  EXPECT_TRUE(net->ContainsAddress(*a));
  EXPECT_FALSE(ParseIpv4Address("10.42.7.9/24").ok());
  EXPECT_FALSE(ParseIpv4Address("10.42.7").ok());
  EXPECT_FALSE(ParseIpv4Address(" 10.42.7.9").ok());
}

}  // namespace
}  // namespace moor
