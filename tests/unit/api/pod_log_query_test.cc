// Routes of the pod log and image endpoints, the pod log query and container choice.
#include <gtest/gtest.h>

#include "moor/api/pod_log_query.h"
#include "moor/api/route.h"

namespace moor::api {
namespace {

TEST(NodeRoutesTest, PodLogIsASubresourceOfNamespacedPods) {
  Route r = ParseRoute("/api/v1/namespaces/prod/pods/web-1/log");
  ASSERT_EQ(r.type, Route::Type::kPodLog);
  ASSERT_NE(r.kind, nullptr);
  EXPECT_EQ(r.kind->kind, "Pod");
  EXPECT_EQ(r.ns.value_or(""), "prod");
  EXPECT_EQ(r.name, "web-1");

  EXPECT_EQ(ParseRoute("/api/v1/namespaces/prod/pods/web-1/log/").type, Route::Type::kPodLog);
  EXPECT_EQ(ParseRoute("/api/v1/namespaces/prod/services/web/log").type, Route::Type::kNotFound);
  EXPECT_EQ(ParseRoute("/api/v1/pods/web-1/log").type, Route::Type::kNotFound);
  EXPECT_EQ(ParseRoute("/api/v1/namespaces/prod/pods/web-1/exec").type, Route::Type::kNotFound);
}

TEST(NodeRoutesTest, Images) {
  struct Case {
    std::string path;
    Route::Type type;
    std::string name;
    std::string action;
  };
  const std::vector<Case> cases = {
      {"/moor/v1/images", Route::Type::kImages, "", ""},
      {"/moor/v1/images/", Route::Type::kImages, "", ""},
      {"/moor/v1/images/docker.io/library/nginx:1.25", Route::Type::kImages, "docker.io/library/nginx:1.25", ""},
      {"/moor/v1/images/sha256:abc", Route::Type::kImages, "sha256:abc", ""},
      {"/moor/v1/images/127.0.0.1:5000/app@sha256:ff", Route::Type::kImages, "127.0.0.1:5000/app@sha256:ff", ""},
      {"/moor/v1/images:import", Route::Type::kImages, "", "import"},
      {"/moor/v1/images:prune", Route::Type::kImages, "", "prune"},
      {"/moor/v1/images:explode", Route::Type::kNotFound, "", ""},
      {"/moor/v1/imagesx", Route::Type::kNotFound, "", ""},
  };
  for (const Case& c : cases) {
    Route r = ParseRoute(c.path);
    EXPECT_EQ(r.type, c.type) << c.path;
    EXPECT_EQ(r.name, c.name) << c.path;
    EXPECT_EQ(r.action, c.action) << c.path;
  }
}

TEST(PodLogQueryTest, ReadsKubectlsParameters) {
  auto q = ParsePodLogQuery("prod", "web", ParseQuery("container=app&follow=true&previous=1&timestamps=True&tailLines=20"));
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->request.ns, "prod");
  EXPECT_EQ(q->request.pod, "web");
  EXPECT_EQ(q->request.container, "app");
  EXPECT_TRUE(q->request.follow);
  EXPECT_TRUE(q->request.previous);
  EXPECT_TRUE(q->request.timestamps);
  EXPECT_EQ(q->request.tail_lines, 20);
  EXPECT_FALSE(q->limit_bytes.has_value());

  auto plain = ParsePodLogQuery("default", "web", ParseQuery(""));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->request.container, "");
  EXPECT_FALSE(plain->request.follow);
  EXPECT_FALSE(plain->request.previous);
  EXPECT_FALSE(plain->request.timestamps);
  EXPECT_FALSE(plain->request.tail_lines.has_value());

  auto off = ParsePodLogQuery("default", "web", ParseQuery("follow=false&timestamps=0&limitBytes=100&tailLines=0"));
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->request.follow);
  EXPECT_FALSE(off->request.timestamps);
  EXPECT_EQ(off->request.tail_lines, 0);
  EXPECT_EQ(off->limit_bytes, 100);

  auto now = ParseRfc3339("2026-11-24T18:00:00Z");
  ASSERT_TRUE(now.ok());
  auto seconds = ParsePodLogQuery("default", "web", ParseQuery("sinceSeconds=300"), *now);
  ASSERT_TRUE(seconds.ok()) << seconds.status().ToString();
  EXPECT_EQ(seconds->request.since, *now - std::chrono::minutes(5));
  auto time = ParsePodLogQuery("default", "web", ParseQuery("sinceTime=2026-11-24T17:30:00Z"), *now);
  ASSERT_TRUE(time.ok()) << time.status().ToString();
  EXPECT_EQ(time->request.since, *now - std::chrono::minutes(30));
  EXPECT_FALSE(plain->request.since.has_value());

  auto bare = ParsePodLogQuery("default", "web", ParseQuery("follow"));
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->request.follow);
}

TEST(PodLogQueryTest, BadValues) {
  struct Case {
    std::string query;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {"tailLines=x", "invalid tailLines \"x\""},
      {"tailLines=10x", "invalid tailLines"},
      {"tailLines=-1", "tailLines: Invalid value: -1: must be greater than or equal to 0"},
      {"limitBytes=0", "limitBytes: Invalid value: 0: must be greater than 0"},
      {"follow=yes", "invalid follow \"yes\""},
      {"previous=maybe", "invalid previous"},
      {"sinceSeconds=0", "sinceSeconds: Invalid value: 0: must be greater than 0"},
      {"sinceSeconds=x", "invalid sinceSeconds"},
      {"sinceTime=yesterday", "invalid sinceTime \"yesterday\""},
      {"sinceSeconds=10&sinceTime=2026-01-01T00:00:00Z", "at most one of `sinceTime` or `sinceSeconds` may be specified"},
  };
  for (const Case& c : cases) {
    auto q = ParsePodLogQuery("default", "web", ParseQuery(c.query));
    ASSERT_FALSE(q.ok()) << c.query;
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument) << c.query;
    EXPECT_NE(q.status().message().find(c.message_part), std::string::npos) << c.query << ": " << q.status().message();
  }
}

TEST(PodLogQueryTest, ContainerChoiceAsKubeApiserver) {
  auto pod = [](const std::string& spec) {
    return manifests::Object::parse(R"({"kind": "Pod", "metadata": {"name": "web"}, "spec": )" + spec + "}");
  };
  struct Case {
    std::string spec;
    std::string requested;
    std::string want;   // the container, or "" for an error
    std::string error;  // the error message
  };
  const std::vector<Case> cases = {
      {R"({"containers": [{"name": "a"}]})", "", "a", ""},
      {R"({"containers": [{"name": "a"}]})", "a", "a", ""},
      {R"({"containers": [{"name": "a"}], "initContainers": [{"name": "init"}]})", "init", "init", ""},
      {R"({"containers": [{"name": "a"}]})", "b", "", "container b is not valid for pod web"},
      {R"({"containers": [{"name": "a"}, {"name": "b"}]})", "", "",
       "a container name must be specified for pod web, choose one of: [a b]"},
      {R"({"containers": [{"name": "a"}, {"name": "b"}], "initContainers": [{"name": "i"}]})", "", "",
       "a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [i]"},
      {R"({"containers": []})", "", "", "a container name must be specified for pod web"},
  };
  for (const Case& c : cases) {
    auto got = ResolveLogContainer(pod(c.spec), c.requested);
    if (c.want.empty()) {
      ASSERT_FALSE(got.ok()) << c.spec << " " << c.requested;
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(got.status().message(), c.error);
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, c.want);
    }
  }
}

}  // namespace
}  // namespace moor::api
