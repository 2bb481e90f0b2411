#include "moor/runtime/image/registry_error.h"

#include <gtest/gtest.h>

namespace moor::runtime {
namespace {

TEST(ImageRegistryErrorTest, Table) {
  struct Case {
    long http;
    std::string body;
    StatusCode code;
    std::string message;
  };
  std::vector<Case> cases = {
      {404, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v9"}}]})",
       StatusCode::kNotFound, "pulling x: manifest unknown: manifest unknown"},
      {401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
       StatusCode::kUnauthenticated, "pulling x: unauthorized: authentication required"},
      {403, R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})",
       StatusCode::kPermissionDenied, "pulling x: denied: requested access to the resource is denied"},
      {400, R"({"errors":[{"code":"NAME_INVALID","message":"invalid repository name"},{"code":"TAG_INVALID"}]})",
       StatusCode::kInvalidArgument, "pulling x: name invalid: invalid repository name; tag invalid"},
      {429, R"({"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]})", StatusCode::kUnavailable,
       "pulling x: toomanyrequests: slow down"},
      {503, "<html>Service Unavailable</html>", StatusCode::kUnavailable,
       "pulling x: HTTP 503: <html>Service Unavailable</html>"},
      {502, "", StatusCode::kUnavailable, "pulling x: HTTP 502"},
      {401, R"({"details":"incorrect username or password"})", StatusCode::kUnauthenticated,
       "pulling x: incorrect username or password"},
      {400, R"({"error":"invalid_grant","error_description":"bad refresh token"})", StatusCode::kInvalidArgument,
       "pulling x: bad refresh token"},
      {415, std::string("\x01\x02binary", 8), StatusCode::kInvalidArgument, "pulling x: HTTP 415"},
  };
  for (const Case& c : cases) {
    Status s = RegistryError(c.http, c.body, "pulling x");
    EXPECT_EQ(s.code(), c.code) << c.body;
    EXPECT_EQ(s.message(), c.message) << c.body;
  }
}

}  // namespace
}  // namespace moor::runtime
