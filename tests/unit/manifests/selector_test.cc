#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "moor/manifests/selector.h"

namespace moor::manifests {
namespace {

struct MatchCase {
  std::string selector;
  Labels labels;
  bool matches;
};

TEST(LabelSelector, ParseAndMatch) {
  const Labels web = {{"app", "web"}, {"tier", "frontend"}, {"env", "prod"}};
  const std::vector<MatchCase> cases = {
      {"", web, true},
      {"app=web", web, true},
      {"app==web", web, true},
      {"app=db", web, false},
      {"app!=db", web, true},
      {"app!=web", web, false},
      {"missing!=x", web, true},
      {"env in (prod, staging)", web, true},
      {"env in (staging)", web, false},
      {"env notin (prod)", web, false},
      {"missing notin (prod)", web, true},
      {"tier", web, true},
      {"missing", web, false},
      {"!missing", web, true},
      {"!app", web, false},
      {"app=web,tier=frontend", web, true},
      {"app=web, tier=backend", web, false},
      {"app.kubernetes.io/name=x", {{"app.kubernetes.io/name", "x"}}, true},
      {"app=", {{"app", ""}}, true},
  };
  for (const MatchCase& c : cases) {
    auto s = LabelSelector::Parse(c.selector);
    ASSERT_TRUE(s.ok()) << c.selector << ": " << s.status().ToString();
    EXPECT_EQ(s->Matches(c.labels), c.matches) << c.selector;
  }
}

TEST(LabelSelector, ParseErrors) {
  for (const char* bad : {"app=web,", "env in (a", "env on (a)", "-bad=1", "app=bad value", "a b", "app=x/y"}) {
    auto s = LabelSelector::Parse(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_NE(s.status().message().find("invalid label selector"), std::string::npos);
    }
  }
}

TEST(LabelSelector, KeyTooLong) {
  EXPECT_FALSE(LabelSelector::Parse(std::string(64, 'a') + "=1").ok());
  EXPECT_TRUE(LabelSelector::Parse(std::string(63, 'a') + "=1").ok());
}

TEST(LabelSelector, ToStringIsSortedAndCanonical) {
  auto s = LabelSelector::Parse("tier!=db, app = web,env in (b,a),!old,x");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ToString(), "app=web,env in (a,b),!old,tier!=db,x");
  auto again = LabelSelector::Parse(s->ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToString(), s->ToString());
}

TEST(LabelSelector, FromObject) {
  Object sel = Object::parse(R"({"matchLabels": {"app": "web"},
    "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                         {"key": "old", "operator": "DoesNotExist"}]})");
  auto s = LabelSelector::FromObject(sel);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ToString(), "app=web,env in (dev,prod),!old");
  EXPECT_TRUE(s->Matches({{"app", "web"}, {"env", "dev"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"env", "dev"}, {"old", "1"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}}));

  auto empty = LabelSelector::FromObject(Object::object());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->Empty());
  EXPECT_TRUE(empty->Matches({{"anything", "x"}}));

  EXPECT_FALSE(LabelSelector::FromObject(Object::parse(R"({"matchExpressions": [{"key": "a", "operator": "In"}]})")).ok());
  EXPECT_FALSE(LabelSelector::FromObject(
                   Object::parse(R"({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})"))
                   .ok());
  EXPECT_FALSE(LabelSelector::FromObject(Object::parse(R"({"matchExpressions": [{"key": "a", "operator": "Gt"}]})")).ok());
  EXPECT_FALSE(LabelSelector::FromObject(Object::parse(R"({"matchLabels": {"app": "bad value"}})")).ok());
  // Mistyped input is an error, never an exception.
  EXPECT_FALSE(LabelSelector::FromObject(Object::parse(R"({"matchExpressions": [{"key": 5, "operator": []}]})")).ok());
  EXPECT_FALSE(LabelSelector::FromObject(Object::parse(R"({"matchLabels": {"app": 1}})")).ok());
}

TEST(LabelSelector, LabelsOf) {
  Object pod = Object::parse(R"({"metadata": {"labels": {"app": "web", "n": 1}}})");
  EXPECT_EQ(LabelsOf(pod), (Labels{{"app", "web"}}));
  EXPECT_TRUE(LabelsOf(Object::parse(R"({"metadata": {"labels": []}})")).empty());
}

}  // namespace
}  // namespace moor::manifests
