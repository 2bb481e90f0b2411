#include <gtest/gtest.h>

#include "moor/api/field_selector.h"
#include "moor/api/route.h"

namespace moor::api {
namespace {

TEST(RouteTest, NamespacedObjectInAGroup) {
  Route r = ParseRoute("/apis/apps/v1/namespaces/prod/deployments/web");
  ASSERT_EQ(r.type, Route::Type::kResource);
  ASSERT_NE(r.kind, nullptr);
  EXPECT_EQ(r.kind->kind, "Deployment");
  EXPECT_EQ(r.group, "apps");
  EXPECT_EQ(r.version, "v1");
  ASSERT_TRUE(r.ns.has_value());
  EXPECT_EQ(*r.ns, "prod");
  EXPECT_EQ(r.name, "web");
  EXPECT_FALSE(r.status);
}

TEST(RouteTest, StatusSubresourceAndTrailingSlash) {
  Route r = ParseRoute("/apis/apps/v1/namespaces/default/deployments/web/status/");
  ASSERT_EQ(r.type, Route::Type::kResource);
  EXPECT_TRUE(r.status);
  EXPECT_EQ(r.name, "web");
}

TEST(RouteTest, CoreCollectionsAllNamespacesAndNamespaced) {
  Route all = ParseRoute("/api/v1/pods");
  ASSERT_EQ(all.type, Route::Type::kResource);
  EXPECT_EQ(all.kind->kind, "Pod");
  EXPECT_FALSE(all.ns.has_value());
  EXPECT_TRUE(all.name.empty());

  Route in_ns = ParseRoute("/api/v1/namespaces/default/services");
  ASSERT_EQ(in_ns.type, Route::Type::kResource);
  EXPECT_EQ(in_ns.kind->kind, "Service");
  EXPECT_EQ(in_ns.ns.value_or(""), "default");
}

TEST(RouteTest, NamespacesAreClusterScoped) {
  Route list = ParseRoute("/api/v1/namespaces");
  ASSERT_EQ(list.type, Route::Type::kResource);
  EXPECT_EQ(list.kind->kind, "Namespace");
  EXPECT_TRUE(list.name.empty());

  Route one = ParseRoute("/api/v1/namespaces/prod");
  ASSERT_EQ(one.type, Route::Type::kResource);
  EXPECT_EQ(one.kind->kind, "Namespace");
  EXPECT_EQ(one.name, "prod");
  EXPECT_FALSE(one.ns.has_value());
}

TEST(RouteTest, DiscoveryAndSpecialPaths) {
  EXPECT_EQ(ParseRoute("/api").type, Route::Type::kCoreVersions);
  EXPECT_EQ(ParseRoute("/apis").type, Route::Type::kGroupList);
  EXPECT_EQ(ParseRoute("/api/v1").type, Route::Type::kGroupVersion);
  Route apps = ParseRoute("/apis/apps/v1");
  EXPECT_EQ(apps.type, Route::Type::kGroupVersion);
  EXPECT_EQ(apps.group, "apps");
  EXPECT_EQ(ParseRoute("/version").type, Route::Type::kVersion);
  EXPECT_EQ(ParseRoute("/healthz").type, Route::Type::kHealth);
  EXPECT_EQ(ParseRoute("/readyz").type, Route::Type::kHealth);
  EXPECT_EQ(ParseRoute("/metrics").type, Route::Type::kMetrics);
  EXPECT_EQ(ParseRoute("/moor/v1/status").type, Route::Type::kMoorStatus);
}

TEST(RouteTest, OpenApiV3IndexAndGroupVersionDocuments) {
  EXPECT_EQ(ParseRoute("/openapi/v3").type, Route::Type::kOpenApiIndex);
  Route core = ParseRoute("/openapi/v3/api/v1");
  EXPECT_EQ(core.type, Route::Type::kOpenApiDoc);
  EXPECT_EQ(core.group, "");
  EXPECT_EQ(core.version, "v1");
  Route apps = ParseRoute("/openapi/v3/apis/apps/v1");
  EXPECT_EQ(apps.type, Route::Type::kOpenApiDoc);
  EXPECT_EQ(apps.group, "apps");
  EXPECT_EQ(apps.version, "v1");
  EXPECT_EQ(ParseRoute("/openapi/v3/apis/apps/v9").type, Route::Type::kNotFound);
  EXPECT_EQ(ParseRoute("/openapi/v3/apis/nope.io/v1").type, Route::Type::kNotFound);
  EXPECT_EQ(ParseRoute("/openapi/v2").type, Route::Type::kNotFound);
}

TEST(RouteTest, ScaleSubresourceOfWorkloadsWithReplicas) {
  for (const char* plural : {"deployments", "replicasets", "statefulsets"}) {
    Route r = ParseRoute(std::string("/apis/apps/v1/namespaces/prod/") + plural + "/web/scale");
    ASSERT_EQ(r.type, Route::Type::kScale) << plural;
    EXPECT_EQ(r.ns.value_or(""), "prod");
    EXPECT_EQ(r.name, "web");
    EXPECT_TRUE(r.kind->has_scale);
  }
}

TEST(RouteTest, UnknownThingsAreNotFound) {
  EXPECT_EQ(ParseRoute("/").type, Route::Type::kNotFound);
  EXPECT_EQ(ParseRoute("/apis/apps/v2").type, Route::Type::kNotFound);
  EXPECT_EQ(ParseRoute("/apis/nope.example.com/v1").type, Route::Type::kNotFound);
  EXPECT_EQ(ParseRoute("/api/v1/namespaces/default/widgets").type, Route::Type::kNotFound);
  // A deployment is not served by the core group.
  EXPECT_EQ(ParseRoute("/api/v1/namespaces/default/deployments").type, Route::Type::kNotFound);
  // A namespaced object needs its namespace in the path.
  EXPECT_EQ(ParseRoute("/apis/apps/v1/deployments/web").type, Route::Type::kNotFound);
  // Only the status subresource exists.
  EXPECT_EQ(ParseRoute("/apis/apps/v1/namespaces/default/daemonsets/web/scale").type, Route::Type::kNotFound);
  EXPECT_EQ(ParseRoute("/api/v1/namespaces/default/configmaps/web/scale").type, Route::Type::kNotFound);
}

TEST(RouteTest, QueryDecoding) {
  auto q = ParseQuery("labelSelector=app%3Dweb%2Ctier+in+(a%2Cb)&watch&limit=500&fieldSelector=metadata.name%3D%3Dx");
  EXPECT_EQ(q["labelSelector"], "app=web,tier in (a,b)");
  EXPECT_EQ(q["limit"], "500");
  EXPECT_EQ(q["fieldSelector"], "metadata.name==x");
  EXPECT_TRUE(QueryFlag(q, "watch"));
  EXPECT_FALSE(QueryFlag(q, "missing"));
  EXPECT_TRUE(QueryFlag(ParseQuery("watch=1"), "watch"));
  EXPECT_TRUE(QueryFlag(ParseQuery("watch=true"), "watch"));
  EXPECT_FALSE(QueryFlag(ParseQuery("watch=false"), "watch"));
  EXPECT_EQ(PercentDecode("a%2Fb%zz"), "a/b%zz");
}

TEST(FieldSelectorTest, OperatorsAndFields) {
  manifests::Object ev = {{"kind", "Event"},
                          {"metadata", {{"name", "e1"}, {"namespace", "default"}}},
                          {"involvedObject", {{"kind", "Deployment"}, {"name", "web"}, {"uid", "u-1"}}}};
  auto sel = FieldSelector::Parse("involvedObject.kind=Deployment,involvedObject.name==web,metadata.namespace!=kube-system",
                                  "Event");
  ASSERT_TRUE(sel.ok()) << sel.status().ToString();
  EXPECT_TRUE(sel->Matches(ev));
  auto other = FieldSelector::Parse("involvedObject.uid=u-2", "Event");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->Matches(ev));

  auto bad_field = FieldSelector::Parse("spec.replicas=3", "Deployment");
  ASSERT_FALSE(bad_field.ok());
  EXPECT_EQ(bad_field.status().message(), "field label not supported: spec.replicas");
  EXPECT_FALSE(FieldSelector::Parse("metadata.name", "Pod").ok());
  auto by_name = FieldSelector::Parse("metadata.name=web", "Deployment");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->RequiredName(), "web");
  EXPECT_TRUE(FieldSelector::Parse("", "Pod")->Empty());
}

}  // namespace
}  // namespace moor::api
