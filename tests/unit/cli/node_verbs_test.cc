// The logic of `moor logs`, `moor exec` and `moor image` that needs no server.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "exec_verb.h"
#include "image_verb.h"
#include "logs_verb.h"

namespace moor::cli {
namespace {

using manifests::Object;

Object Pod(const std::string& spec, const std::string& status = "{}", const std::string& annotations = "{}") {
  return Object::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "annotations": )" +
                       annotations + R"(}, "spec": )" + spec + R"(, "status": )" + status + "}");
}

TEST(PodArgTest, Forms) {
  EXPECT_EQ(ParsePodArg("web").value(), "web");
  EXPECT_EQ(ParsePodArg("pod/web").value(), "web");
  EXPECT_EQ(ParsePodArg("pods/web").value(), "web");
  EXPECT_EQ(ParsePodArg("po/web").value(), "web");
  EXPECT_EQ(ParsePodArg("deploy/web").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePodArg("pod/").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePodArg("").status().code(), StatusCode::kInvalidArgument);
}

TEST(ChooseContainerTest, Table) {
  const std::string one = R"({"containers": [{"name": "a"}]})";
  const std::string two = R"({"containers": [{"name": "a"}, {"name": "b"}]})";
  const std::string with_init = R"({"initContainers": [{"name": "i"}], "containers": [{"name": "a"}, {"name": "b"}]})";
  const std::string one_with_init = R"({"initContainers": [{"name": "i"}], "containers": [{"name": "a"}]})";
  struct Case {
    std::string what;
    Object pod;
    std::string requested;
    bool first_if_several;
    std::string want;    // "" = error
    std::string detail;  // the notice, or the error message
  };
  const std::vector<Case> cases = {
      {"only container", Pod(one), "", false, "a", ""},
      {"asked for", Pod(two), "b", false, "b", ""},
      {"an init container by name", Pod(with_init), "i", false, "i", ""},
      {"unknown", Pod(with_init), "x", true, "",
       "container \"x\" not found in pod \"web\"; its containers: a, b, i (init)"},
      {"several, exec", Pod(two), "", false, "", "pod \"web\" has several containers; choose one with -c: a, b"},
      {"several, logs takes the first", Pod(with_init), "", true, "a", "Defaulted container \"a\" out of: a, b, i (init)"},
      {"one plus init, logs says so", Pod(one_with_init), "", true, "a", "Defaulted container \"a\" out of: a, i (init)"},
      {"one plus init, exec", Pod(one_with_init), "", false, "a", ""},
      {"annotation", Pod(two, "{}", R"({"kubectl.kubernetes.io/default-container": "b"})"), "", false, "b", ""},
      {"annotation naming nothing is ignored", Pod(two, "{}", R"({"kubectl.kubernetes.io/default-container": "z"})"),
       "", true, "a", "Defaulted container \"a\" out of: a, b"},
      {"no containers", Pod(R"({"containers": []})"), "", true, "", "pod \"web\" has no containers"},
  };
  for (const Case& c : cases) {
    auto got = ChooseContainer(c.pod, c.requested, c.first_if_several);
    if (c.want.empty()) {
      ASSERT_FALSE(got.ok()) << c.what;
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << c.what;
      EXPECT_EQ(got.status().message(), c.detail) << c.what;
    } else {
      ASSERT_TRUE(got.ok()) << c.what << ": " << got.status().ToString();
      EXPECT_EQ(got->name, c.want) << c.what;
      EXPECT_EQ(got->notice, c.detail) << c.what;
    }
  }
}

TEST(ExecTargetTest, Table) {
  const std::string spec = R"({"nodeName": "node1", "containers": [{"name": "a"}, {"name": "b"}]})";
  const std::string running = R"({"phase": "Running", "containerStatuses": [
      {"name": "a", "containerID": "runc://default_web_a_1", "state": {"running": {}}},
      {"name": "b", "containerID": "runc://default_web_b_1", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]})";
  struct Case {
    std::string what;
    Object pod;
    std::string container;
    std::string want_id;  // "" = error
    std::string error;
    StatusCode code = StatusCode::kFailedPrecondition;
  };
  const std::vector<Case> cases = {
      {"running", Pod(spec, running), "a", "default_web_a_1", ""},
      {"default container from the annotation",
       Pod(spec, running, R"({"kubectl.kubernetes.io/default-container": "a"})"), "", "default_web_a_1", ""},
      {"crash looping", Pod(spec, running), "b", "", "container \"b\" is not running: CrashLoopBackOff"},
      {"being created", Pod(spec, R"({"phase": "Pending", "containerStatuses": [
          {"name": "a", "state": {"waiting": {"reason": "ContainerCreating"}}}]})"),
       "a", "", "container \"a\" is not running: ContainerCreating"},
      {"no status yet", Pod(spec, R"({"phase": "Pending"})"), "a", "",
       "container \"a\" is not running: no status reported yet"},
      {"terminated", Pod(spec, R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "containerID": "runc://x", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]})"),
       "a", "", "container \"a\" is not running: Error"},
      {"completed pod", Pod(spec, R"({"phase": "Succeeded"})"), "a", "",
       "cannot exec into a container in a completed pod; current phase is Succeeded"},
      {"unknown container", Pod(spec, running), "zz", "",
       "container \"zz\" not found in pod \"web\"; its containers: a, b", StatusCode::kInvalidArgument},
      {"several without -c", Pod(spec, running), "", "",
       "pod \"web\" has several containers; choose one with -c: a, b", StatusCode::kInvalidArgument},
      {"another runtime", Pod(spec, R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "containerID": "containerd://abc", "state": {"running": {}}}]})"),
       "a", "", "container \"a\" is not a runc container (containerID \"containerd://abc\")"},
      {"not on a node", Pod(R"({"containers": [{"name": "a"}]})", R"({"phase": "Running", "containerStatuses": [
          {"name": "a", "containerID": "runc://x", "state": {"running": {}}}]})"),
       "", "", "pod \"web\" is not on a node yet"},
  };
  for (const Case& c : cases) {
    auto got = ResolveExecTarget(c.pod, c.container);
    if (c.want_id.empty()) {
      ASSERT_FALSE(got.ok()) << c.what;
      EXPECT_EQ(got.status().code(), c.code) << c.what;
      EXPECT_EQ(got.status().message(), c.error) << c.what;
    } else {
      ASSERT_TRUE(got.ok()) << c.what << ": " << got.status().ToString();
      EXPECT_EQ(got->container_id, c.want_id) << c.what;
      EXPECT_EQ(got->container, "a") << c.what;
      EXPECT_EQ(got->node, "node1") << c.what;
    }
  }
}

TEST(ExecNodeTest, RuntimeFromAnnotationsAndHost) {
  Object node = Object::parse(R"({"kind": "Node", "metadata": {"name": "node1", "annotations": {
      "moor.dev/runc-root": "/run/moor/runc", "moor.dev/host": "box1"}}})");
  auto runtime = NodeRuntimeOf(node);
  ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
  EXPECT_EQ(runtime->runc_root, "/run/moor/runc");
  EXPECT_EQ(runtime->host, "box1");
  EXPECT_TRUE(CheckExecFromHere("node1", *runtime, "box1").ok());
  Status elsewhere = CheckExecFromHere("node1", *runtime, "box2");
  EXPECT_EQ(elsewhere.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(elsewhere.message().rfind("exec into pods on node node1 is not supported from this host yet", 0), 0u)
      << elsewhere.message();

  Object bare = Object::parse(R"({"kind": "Node", "metadata": {"name": "node2", "annotations": {"moor.dev/host": "b"}}})");
  auto missing = NodeRuntimeOf(bare);
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("moor.dev/runc-root"), std::string::npos);
  EXPECT_NE(missing.status().message().find("node2"), std::string::npos);

  EXPECT_EQ(RuncExecArgv(*runtime, "id1", false, {"sh", "-c", "echo hi"}),
            (std::vector<std::string>{"runc", "--root", "/run/moor/runc", "exec", "id1", "sh", "-c", "echo hi"}));
  EXPECT_EQ(RuncExecArgv(*runtime, "id1", true, {"sh"}),
            (std::vector<std::string>{"runc", "--root", "/run/moor/runc", "exec", "-t", "id1", "sh"}));
}

TEST(ImageTableTest, HumanSizeAsCrictl) {
  struct Case {
    int64_t bytes;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{{0, "0B"},
                                         {999, "999B"},
                                         {1000, "1kB"},
                                         {4300, "4.3kB"},
                                         {1234567, "1.23MB"},
                                         {70500000, "70.5MB"},
                                         {123456789, "123MB"},
                                         {5000000000, "5GB"}}) {
    EXPECT_EQ(HumanSize(c.bytes), c.want) << c.bytes;
  }
}

TEST(ImageTableTest, RowsLikeCrictlImages) {
  std::vector<api::ImageSummary> images = {
      {"sha256:b4a8c1e9e8b5f0e4d2b3c1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0",
       {"docker.io/library/nginx:1.25", "127.0.0.1:5000/web@sha256:0123456789abcdef"}, 70500000, true},
      {"sha256:0000aaaabbbbccccddddeeeeffff000011112222333344445555666677778888", {}, 4300, false},
      {"sha256:1111aaaabbbbccccddddeeeeffff000011112222333344445555666677778888", {"127.0.0.1:5000/app:v1"}, 1234567,
       false},
  };
  EXPECT_EQ(FormatImageTable(images),
            "IMAGE                     TAG                 IMAGE ID            SIZE\n"
            "127.0.0.1:5000/app        v1                  1111aaaabbbbc       1.23MB\n"
            "127.0.0.1:5000/web        <none>              b4a8c1e9e8b5f       70.5MB\n"
            "<none>                    <none>              0000aaaabbbbc       4.3kB\n"
            "docker.io/library/nginx   1.25                b4a8c1e9e8b5f       70.5MB\n");
  EXPECT_EQ(FormatImageTable({}), "IMAGE               TAG                 IMAGE ID            SIZE\n");
}

}  // namespace
}  // namespace moor::cli
