#include "moor/runtime/image/www_authenticate.h"

#include <gtest/gtest.h>

namespace moor::runtime {
namespace {

TEST(ImageWwwAuthenticateTest, DockerHubBearer) {
  auto c = ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params.at("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c[0].params.at("service"), "registry.docker.io");
  EXPECT_EQ(c[0].params.at("scope"), "repository:library/nginx:pull");
}

TEST(ImageWwwAuthenticateTest, Table) {
  struct Case {
    std::string header;
    std::vector<AuthChallenge> want;
  };
  std::vector<Case> cases = {
      {"", {}},
      {"Basic", {{"basic", {}}}},
      {R"(Basic realm="Registry Realm")", {{"basic", {{"realm", "Registry Realm"}}}}},
      {R"(basic REALM=unquoted)", {{"basic", {{"realm", "unquoted"}}}}},
      // Several scopes and spaces around '=' and ','.
      {R"(Bearer realm = "http://127.0.0.1:1/token" , scope="repository:a:pull,push" ,error="insufficient_scope")",
       {{"bearer",
         {{"realm", "http://127.0.0.1:1/token"}, {"scope", "repository:a:pull,push"}, {"error", "insufficient_scope"}}}}},
      // Escapes inside quoted strings.
      {R"(Bearer realm="a\"b\\c")", {{"bearer", {{"realm", "a\"b\\c"}}}}},
      // Two challenges in one header.
      {R"(Basic realm="r", Bearer realm="https://t/token",service="s")",
       {{"basic", {{"realm", "r"}}}, {"bearer", {{"realm", "https://t/token"}, {"service", "s"}}}}},
      // An unterminated quote ends at the end of the header.
      {R"(Bearer realm="https://t/token)", {{"bearer", {{"realm", "https://t/token"}}}}},
  };
  for (const Case& c : cases) {
    auto got = ParseWwwAuthenticate(c.header);
    ASSERT_EQ(got.size(), c.want.size()) << c.header;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].scheme, c.want[i].scheme) << c.header;
      EXPECT_EQ(got[i].params, c.want[i].params) << c.header;
    }
  }
}

}  // namespace
}  // namespace moor::runtime
