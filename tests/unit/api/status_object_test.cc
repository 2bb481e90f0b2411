#include <gtest/gtest.h>

#include "moor/api/status_object.h"

namespace moor::api {
namespace {

TEST(StatusObjectTest, FailureShapeAsKubeApiserver) {
  StatusDetails details;
  details.name = "web";
  details.group = "apps";
  details.kind = "deployments";
  Object s = FailureStatus(404, "NotFound", "deployments.apps \"web\" not found", details);
  EXPECT_EQ(s["kind"], "Status");
  EXPECT_EQ(s["apiVersion"], "v1");
  EXPECT_TRUE(s["metadata"].is_object());
  EXPECT_EQ(s["status"], "Failure");
  EXPECT_EQ(s["message"], "deployments.apps \"web\" not found");
  EXPECT_EQ(s["reason"], "NotFound");
  EXPECT_EQ(s["code"], 404);
  EXPECT_EQ(s["details"], Object({{"name", "web"}, {"group", "apps"}, {"kind", "deployments"}}));
}

TEST(StatusObjectTest, InvalidCarriesCauses) {
  StatusDetails details;
  details.name = "web";
  details.kind = "Deployment";
  details.group = "apps";
  details.causes.push_back({"FieldValueInvalid", "spec.replicas", "must be greater than or equal to 0"});
  Object s = FailureStatus(422, "Invalid", "Deployment.apps \"web\" is invalid: ...", details);
  ASSERT_TRUE(s["details"]["causes"].is_array());
  EXPECT_EQ(s["details"]["causes"][0]["reason"], "FieldValueInvalid");
  EXPECT_EQ(s["details"]["causes"][0]["field"], "spec.replicas");
  EXPECT_EQ(s["details"]["causes"][0]["message"], "must be greater than or equal to 0");
}

TEST(StatusObjectTest, EmptyDetailsAreLeftOut) {
  Object s = FailureStatus(401, "Unauthorized", "Unauthorized");
  EXPECT_FALSE(s.contains("details"));
  Object ok = SuccessStatus();
  EXPECT_EQ(ok["status"], "Success");
}

TEST(StatusObjectTest, HttpCodesBothWays) {
  EXPECT_EQ(HttpCodeFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpCodeFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpCodeFor(StatusCode::kConflict), 409);
  EXPECT_EQ(HttpCodeFor(StatusCode::kGone), 410);
  EXPECT_EQ(HttpCodeFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpCodeFor(StatusCode::kInternal), 500);
  EXPECT_EQ(ReasonForHttpCode(422), "Invalid");
  EXPECT_EQ(ReasonForHttpCode(410), "Expired");
  EXPECT_EQ(StatusCodeForHttp(409, "AlreadyExists"), StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusCodeForHttp(409, "Conflict"), StatusCode::kConflict);
  EXPECT_EQ(StatusCodeForHttp(422), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusCodeForHttp(410), StatusCode::kGone);
}

TEST(StatusObjectTest, ResponseKeepsTheServersMessage) {
  Object body = FailureStatus(409, "AlreadyExists", "deployments.apps \"web\" already exists");
  Status s = StatusFromResponse(409, body.dump());
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "deployments.apps \"web\" already exists");

  Status plain = StatusFromResponse(502, "bad gateway\n");
  EXPECT_EQ(plain.code(), StatusCode::kInternal);
  EXPECT_EQ(plain.message(), "bad gateway");
}

}  // namespace
}  // namespace moor::api
