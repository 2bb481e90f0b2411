#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "moor/manifests/quantity.h"

namespace moor::manifests {
namespace {

struct QuantityCase {
  std::string text;
  std::int64_t milli;
  std::string canonical;
};

TEST(Quantity, ParsesExactlyAndCanonicalizesAsKubernetes) {
  const std::vector<QuantityCase> cases = {
      {"250m", 250, "250m"},
      {"0.5", 500, "500m"},
      {"1", 1000, "1"},
      {"1000m", 1000, "1"},
      {"1500m", 1500, "1500m"},
      {"1.5", 1500, "1500m"},
      {"64Mi", 64LL * 1024 * 1024 * 1000, "64Mi"},
      {"1024Mi", 1024LL * 1024 * 1024 * 1000, "1Gi"},
      {"1.5Gi", 1610612736LL * 1000, "1536Mi"},
      {"512", 512000, "512"},
      {"1000", 1000000, "1k"},
      {"1e3", 1000000, "1e3"},
      {"1E3", 1000000, "1e3"},
      {"1G", 1000000000000LL, "1G"},
      {"128M", 128000000000LL, "128M"},
      {"1k", 1000000, "1k"},
      {"100n", 1, "100n"},
      {"0", 0, "0"},
      {"-1", -1000, "-1"},
      {"+2", 2000, "2"},
      {"0.1", 100, "100m"},
      {"1Ki", 1024000, "1Ki"},
      {"1025", 1025000, "1025"},
  };
  for (const QuantityCase& c : cases) {
    auto q = Quantity::Parse(c.text);
    ASSERT_TRUE(q.ok()) << c.text << ": " << q.status().ToString();
    EXPECT_EQ(q->MilliValue(), c.milli) << c.text;
    EXPECT_EQ(q->ToString(), c.canonical) << c.text;
  }
}

TEST(Quantity, RejectsInvalidSyntax) {
  for (const char* bad : {"", "12xb", "abc", "1.2.3", "Mi", "1 Gi", "1e", "1ei", "--1", "0x10", "1Gb", "1e99999"}) {
    auto q = Quantity::Parse(bad);
    ASSERT_FALSE(q.ok()) << bad;
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(q.status().message(), "invalid quantity \"" + std::string(bad) + "\"");
  }
}

TEST(Quantity, RoundsUpValueAndMilliValue) {
  auto q = Quantity::Parse("1500m");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Value(), 2);
  auto tiny = Quantity::Parse("1n");
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->MilliValue(), 1);
  EXPECT_EQ(tiny->Value(), 1);
  auto finer = Quantity::Parse("0.0000000001");  // below 1n rounds up to 1n
  ASSERT_TRUE(finer.ok());
  EXPECT_EQ(finer->ToString(), "1n");
}

TEST(Quantity, ComparesByValue) {
  EXPECT_EQ(*Quantity::Parse("1"), *Quantity::Parse("1000m"));
  EXPECT_LT(*Quantity::Parse("999m"), *Quantity::Parse("1"));
  EXPECT_GT(*Quantity::Parse("1Gi"), *Quantity::Parse("1G"));
  EXPECT_EQ(*Quantity::Parse("1Ki"), *Quantity::Parse("1024"));
  EXPECT_EQ(Quantity::FromMilli(250), *Quantity::Parse("250m"));
}

TEST(Quantity, FromJsonAcceptsStringsAndNumbers) {
  EXPECT_EQ(Quantity::FromJson(Object(2))->ToString(), "2");
  EXPECT_EQ(Quantity::FromJson(Object(0.5))->ToString(), "500m");
  EXPECT_EQ(Quantity::FromJson(Object("64Mi"))->ToString(), "64Mi");
  EXPECT_FALSE(Quantity::FromJson(Object(true)).ok());
  EXPECT_FALSE(Quantity::FromJson(Object::array()).ok());
}

}  // namespace
}  // namespace moor::manifests
