// The OpenAPI v3 documents kubectl reads to decide on server-side field validation.
#include <gtest/gtest.h>

#include "openapi.h"

namespace moor::api {
namespace {

using manifests::Object;

TEST(OpenApiTest, IndexPointsAtEveryServedGroupVersionWithAHash) {
  Object index = OpenApiV3Index();
  ASSERT_TRUE(index["paths"].is_object());
  for (const char* gv : {"api/v1", "apis/apps/v1", "apis/batch/v1", "apis/networking.k8s.io/v1", "apis/autoscaling/v1",
                         "apis/autoscaling/v2"}) {
    ASSERT_TRUE(index["paths"].contains(gv)) << gv << " in " << index;
    std::string url = index["paths"][gv]["serverRelativeURL"];
    EXPECT_EQ(url.rfind(std::string("/openapi/v3/") + gv + "?hash=", 0), 0u) << url;
  }
  EXPECT_EQ(OpenApiV3Index(), index);  // stable: kubectl caches by the hash
}

TEST(OpenApiTest, PatchOperationsNameTheirKindAndTakeFieldValidation) {
  std::optional<Object> apps = OpenApiV3Document("apps", "v1");
  ASSERT_TRUE(apps.has_value());
  const Object& item = (*apps)["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
  ASSERT_TRUE(item.contains("patch")) << item;
  EXPECT_EQ(item["patch"]["x-kubernetes-group-version-kind"],
            Object::parse(R"({"group":"apps","version":"v1","kind":"Deployment"})"));
  bool field_validation = false;
  for (const auto& p : item["patch"]["parameters"]) field_validation |= p["name"] == "fieldValidation" && p["in"] == "query";
  EXPECT_TRUE(field_validation) << item["patch"];
  EXPECT_TRUE((*apps)["paths"].contains("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"));

  std::optional<Object> core = OpenApiV3Document("", "v1");
  ASSERT_TRUE(core.has_value());
  // Namespaces are cluster-scoped: no {namespace} in their path.
  const Object& ns = (*core)["paths"]["/api/v1/namespaces/{name}"];
  ASSERT_TRUE(ns.contains("patch")) << (*core)["paths"].size();
  EXPECT_EQ(ns["patch"]["x-kubernetes-group-version-kind"]["kind"], "Namespace");
  EXPECT_FALSE(OpenApiV3Document("apps", "v9").has_value());
}

}  // namespace
}  // namespace moor::api
