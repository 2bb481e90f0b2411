#include "moor/reconciler/service_ip_range.h"

#include <gtest/gtest.h>

namespace moor::reconciler {
namespace {

std::uint32_t Ip(const char* text) { return *ParseIpv4Address(text); }
Ipv4Cidr Cidr(const char* text) { return *Ipv4Cidr::Parse(text); }

TEST(ServiceIpRange, PicksTheLowestFreeUsableAddress) {
  struct Case {
    const char* name;
    const char* cidr;
    std::set<std::uint32_t> taken;
    const char* want;  // nullptr: exhausted
  };
  const Case cases[] = {
      {"empty range starts after the network address", "10.43.0.0/16", {}, "10.43.0.1"},
      {"reserved skipped", "10.43.0.0/16", {Ip("10.43.0.1"), Ip("10.43.0.10")}, "10.43.0.2"},
      {"first gap", "10.43.0.0/16", {Ip("10.43.0.1"), Ip("10.43.0.2"), Ip("10.43.0.3"), Ip("10.43.0.5")}, "10.43.0.4"},
      {"addresses outside ignored", "10.43.0.0/16", {Ip("10.42.0.1"), Ip("10.44.0.1")}, "10.43.0.1"},
      {"crosses an octet", "10.43.0.0/23", [] {
         std::set<std::uint32_t> s;
         for (std::uint32_t a = Ip("10.43.0.1"); a <= Ip("10.43.0.255"); ++a) s.insert(a);
         return s;
       }(), "10.43.1.0"},
      {"/30 has two usable", "10.43.0.0/30", {Ip("10.43.0.1")}, "10.43.0.2"},
      {"/30 full: broadcast never given", "10.43.0.0/30", {Ip("10.43.0.1"), Ip("10.43.0.2")}, nullptr},
      {"/32 is its one address", "10.43.0.7/32", {}, "10.43.0.7"},
      {"/32 taken", "10.43.0.7/32", {Ip("10.43.0.7")}, nullptr},
  };
  for (const Case& c : cases) {
    auto got = PickFreeServiceIp(Cidr(c.cidr), c.taken);
    if (c.want == nullptr) {
      ASSERT_FALSE(got.ok()) << c.name;
      EXPECT_EQ(got.status().code(), StatusCode::kResourceExhausted) << c.name;
      EXPECT_NE(got.status().message().find(c.cidr), std::string::npos) << c.name << ": " << got.status().message();
    } else {
      ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
      EXPECT_EQ(FormatIpv4Address(*got), c.want) << c.name;
    }
  }
}

TEST(ServiceIpRange, UsableAddresses) {
  Ipv4Cidr cidr = Cidr("10.43.0.0/16");
  EXPECT_FALSE(IsUsableServiceIp(cidr, Ip("10.43.0.0")));
  EXPECT_TRUE(IsUsableServiceIp(cidr, Ip("10.43.0.1")));
  EXPECT_TRUE(IsUsableServiceIp(cidr, Ip("10.43.255.254")));
  EXPECT_FALSE(IsUsableServiceIp(cidr, Ip("10.43.255.255")));
  EXPECT_FALSE(IsUsableServiceIp(cidr, Ip("10.42.0.5")));
  EXPECT_FALSE(IsUsableServiceIp(cidr, Ip("10.44.0.0")));
}

TEST(ServiceIpRange, EveryAddressOfASmallRangeOnce) {
  Ipv4Cidr cidr = Cidr("10.43.0.0/28");
  std::set<std::uint32_t> taken;
  for (int i = 0; i < 14; ++i) {
    auto ip = PickFreeServiceIp(cidr, taken);
    ASSERT_TRUE(ip.ok()) << i;
    EXPECT_TRUE(IsUsableServiceIp(cidr, *ip));
    EXPECT_TRUE(taken.insert(*ip).second) << "handed out twice: " << FormatIpv4Address(*ip);
  }
  EXPECT_FALSE(PickFreeServiceIp(cidr, taken).ok());
}

}  // namespace
}  // namespace moor::reconciler
