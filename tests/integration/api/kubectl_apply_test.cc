// The real kubectl (/usr/bin/kubectl) writing through PATCH: apply (client-side, three-way
// strategic merge), label, annotate, patch (merge, JSON, strategic), edit, set image, server
// side validation (?fieldValidation) and dry runs (?dryRun=All), against moor's API.
#include <filesystem>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "api_test_env.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::api {
namespace {

using manifests::Object;
using testenv::ApiTestEnv;

using testenv::kKubectl;

constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
      - name: init
        image: busybox:1.36
        command: ["true"]
      containers:
      - name: app
        image: busybox:1.36
        command: ["httpd", "-f"]
        env:
        - {name: MODE, value: blue}
        - {name: LEVEL, value: "3"}
        ports:
        - {containerPort: 8000}
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]
      volumes:
      - name: scratch
        emptyDir: {}
)";

class KubectlApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testenv::KubectlInstalled());
  }

  moor::testing::CommandResult Kubectl(const std::vector<std::string>& args) { return env_.Kubectl(args); }

  // Writes `text` to <dir>/<name> and returns the path.
  std::string File(const std::string& name, const std::string& text) {
    std::filesystem::path path = env_.dir() / name;
    moor::testing::WriteFile(path, text);
    return path.string();
  }

  Object Stored(const std::string& kind, const std::string& name) {
    auto record = env_.store().Get(store::ObjectKey{kind, "default", name});
    EXPECT_TRUE(record.ok()) << kind << "/" << name << ": " << record.status().ToString();
    return record.ok() ? record->object : Object();
  }

  static std::string Replace(std::string text, const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  ApiTestEnv env_;
};

TEST_F(KubectlApplyTest, ApplyCreatesThenMergesChangesThreeWay) {
  // No --validate=false: kubectl finds fieldValidation in moor's OpenAPI v3 and validates on
  // the server.
  std::string path = File("web.yaml", kDeployment);
  auto created = Kubectl({"apply", "-f", path});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  EXPECT_EQ(created.out, "deployment.apps/web created\n");
  Object web = Stored("Deployment", "web");
  EXPECT_TRUE(web["metadata"]["annotations"].contains("kubectl.kubernetes.io/last-applied-configuration")) << web;

  auto again = Kubectl({"apply", "-f", path});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "deployment.apps/web unchanged\n");

  // Someone changes the live object outside the file: a label and the sidecar's image.
  ASSERT_EQ(Kubectl({"label", "deploy", "web", "team=core"}).exit_code, 0);
  auto set = Kubectl({"set", "image", "deploy/web", "sidecar=busybox:1.37"});
  ASSERT_EQ(set.exit_code, 0) << set.err;

  // The file changes: the app's image, LEVEL removed, the sidecar removed, a volume switched
  // from emptyDir to a configMap, replicas changed.
  std::string changed = Replace(kDeployment, "image: busybox:1.36\n        command: [\"httpd\", \"-f\"]",
                                "image: busybox:1.37\n        command: [\"httpd\", \"-f\"]");
  changed = Replace(changed, "        - {name: LEVEL, value: \"3\"}\n", "");
  changed = Replace(changed,
                    "      - name: sidecar\n        image: busybox:1.36\n        command: [\"sleep\", \"3600\"]\n", "");
  changed = Replace(changed, "emptyDir: {}", "configMap: {name: settings}");
  changed = Replace(changed, "replicas: 2", "replicas: 4");
  File("web.yaml", changed);
  auto applied = Kubectl({"apply", "-f", path});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_EQ(applied.out, "deployment.apps/web configured\n");

  web = Stored("Deployment", "web");
  const Object& pod = web["spec"]["template"]["spec"];
  EXPECT_EQ(web["spec"]["replicas"], 4);
  ASSERT_EQ(pod["containers"].size(), 1u) << pod;
  EXPECT_EQ(pod["containers"][0]["name"], "app");
  EXPECT_EQ(pod["containers"][0]["image"], "busybox:1.37");
  EXPECT_EQ(pod["containers"][0]["env"], Object::parse(R"([{"name":"MODE","value":"blue"}])"));
  EXPECT_EQ(pod["containers"][0]["ports"][0]["containerPort"], 8000);
  ASSERT_EQ(pod["initContainers"].size(), 1u);
  ASSERT_EQ(pod["volumes"].size(), 1u);
  EXPECT_EQ(pod["volumes"][0], Object::parse(R"({"name":"scratch","configMap":{"name":"settings","defaultMode":420}})"))
      << pod["volumes"][0];
  // What the file never said is kept: the label set with kubectl label.
  EXPECT_EQ(web["metadata"]["labels"]["team"], "core");
  EXPECT_EQ(web["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(web["metadata"]["generation"], 3);  // created, set image, apply (labels do not count)

  // Removing a key from a ConfigMap's file removes it from the object.
  std::string cm = File("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1', b: '2'}\n");
  ASSERT_EQ(Kubectl({"apply", "-f", cm}).exit_code, 0);
  File("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n");
  ASSERT_EQ(Kubectl({"apply", "-f", cm}).exit_code, 0);
  EXPECT_EQ(Stored("ConfigMap", "settings")["data"], Object::parse(R"({"a":"1"})"));
}

TEST_F(KubectlApplyTest, LabelAnnotateAndTheThreePatchTypes) {
  ASSERT_EQ(Kubectl({"apply", "-f", File("web.yaml", kDeployment)}).exit_code, 0);
  ASSERT_EQ(Kubectl({"label", "deploy", "web", "tier=front"}).exit_code, 0);
  auto no_overwrite = Kubectl({"label", "deploy", "web", "tier=back"});
  EXPECT_NE(no_overwrite.exit_code, 0);
  ASSERT_EQ(Kubectl({"label", "deploy", "web", "tier=back", "--overwrite"}).exit_code, 0);
  ASSERT_EQ(Kubectl({"annotate", "deploy", "web", "owner=ops"}).exit_code, 0);
  ASSERT_EQ(Kubectl({"label", "deploy", "web", "app-"}).exit_code, 0);  // removes the label

  auto merge = Kubectl({"patch", "deploy", "web", "--type", "merge", "-p", R"({"spec":{"paused":true}})"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  auto json = Kubectl({"patch", "deploy", "web", "--type", "json", "-p",
                       R"([{"op":"replace","path":"/spec/replicas","value":7},)"
                       R"({"op":"remove","path":"/spec/template/spec/containers/0/env/1"}])"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto strategic = Kubectl({"patch", "deploy", "web", "-p",
                            R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}})"});
  ASSERT_EQ(strategic.exit_code, 0) << strategic.err;

  Object web = Stored("Deployment", "web");
  EXPECT_EQ(web["metadata"]["labels"], Object::parse(R"({"tier":"back"})"));
  EXPECT_EQ(web["metadata"]["annotations"]["owner"], "ops");
  EXPECT_EQ(web["spec"]["paused"], true);
  EXPECT_EQ(web["spec"]["replicas"], 7);
  const Object& containers = web["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 1u) << containers;
  EXPECT_EQ(containers[0]["env"], Object::parse(R"([{"name":"MODE","value":"blue"}])"));

  // A JSON patch that cannot apply, and one that is malformed: nothing changes.
  const std::string rv = web["metadata"]["resourceVersion"];
  auto missing = Kubectl({"patch", "deploy", "web", "--type", "json", "-p", R"([{"op":"remove","path":"/spec/nope"}])"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("path \"/spec/nope\" does not exist"), std::string::npos) << missing.err;
  auto failed_test = Kubectl({"patch", "deploy", "web", "--type", "json", "-p",
                              R"([{"op":"test","path":"/spec/replicas","value":1},)"
                              R"({"op":"replace","path":"/spec/replicas","value":1}])"});
  EXPECT_NE(failed_test.exit_code, 0);
  // A patch that makes the object invalid is refused like a PUT of it would be.
  auto invalid = Kubectl({"patch", "deploy", "web", "--type", "merge", "-p", R"({"spec":{"replicas":"many"}})"});
  EXPECT_NE(invalid.exit_code, 0);
  EXPECT_NE(invalid.err.find("spec.replicas"), std::string::npos) << invalid.err;
  EXPECT_EQ(Stored("Deployment", "web")["metadata"]["resourceVersion"], rv);

  auto absent = Kubectl({"label", "deploy", "nope", "a=b"});
  EXPECT_NE(absent.exit_code, 0);
  EXPECT_NE(absent.err.find("deployments.apps \"nope\" not found"), std::string::npos) << absent.err;
}

TEST_F(KubectlApplyTest, EditAndConcurrentPatchesLoseNothing) {
  ASSERT_EQ(Kubectl({"apply", "-f", File("web.yaml", kDeployment)}).exit_code, 0);
  // kubectl edit opens $EDITOR on the object and sends what changed as a strategic merge patch.
  std::map<std::string, std::string> environment = env_.KubectlEnv();
  environment["EDITOR"] = "sed -i s/value:\\ blue/value:\\ green/";
  auto edited = moor::testing::RunCommand({kKubectl, "edit", "deploy", "web"}, environment);
  ASSERT_EQ(edited.exit_code, 0) << edited.out << edited.err;
  EXPECT_EQ(edited.out, "deployment.apps/web edited\n");
  EXPECT_EQ(Stored("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"], "green");

  // Eight annotates at once: each patch is made against what is stored when it runs, and runs
  // again if another write came in between, so none is lost.
  std::vector<std::future<int>> runs;
  for (int i = 0; i < 8; ++i) {
    runs.push_back(std::async(std::launch::async, [this, i] {
      return Kubectl({"annotate", "deploy", "web", "n" + std::to_string(i) + "=" + std::to_string(i)}).exit_code;
    }));
  }
  for (auto& run : runs) EXPECT_EQ(run.get(), 0);
  const Object annotations = Stored("Deployment", "web")["metadata"]["annotations"];
  for (int i = 0; i < 8; ++i) EXPECT_EQ(annotations.value("n" + std::to_string(i), ""), std::to_string(i)) << annotations;
}

TEST_F(KubectlApplyTest, UnknownFieldsAsFieldValidationSays) {
  const std::string bad = File("bad.yaml",
                               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n"
                               "spec: {replicas: 1}\n");
  auto strict = Kubectl({"apply", "-f", bad});
  EXPECT_NE(strict.exit_code, 0);
  EXPECT_NE(strict.err.find("strict decoding error: unknown field \"spec\""), std::string::npos) << strict.err;
  EXPECT_EQ(env_.store().Get(store::ObjectKey{"ConfigMap", "default", "c"}).status().code(), StatusCode::kNotFound);
  auto create = Kubectl({"create", "-f", bad});
  EXPECT_NE(create.exit_code, 0);
  EXPECT_NE(create.err.find("unknown field \"spec\""), std::string::npos) << create.err;

  auto warn = Kubectl({"apply", "--validate=warn", "-f", bad});
  ASSERT_EQ(warn.exit_code, 0) << warn.err;
  EXPECT_NE(warn.err.find("Warning: unknown field \"spec\""), std::string::npos) << warn.err;
  ASSERT_EQ(Kubectl({"delete", "cm", "c"}).exit_code, 0);

  auto ignored = Kubectl({"apply", "--validate=false", "-f", bad});
  ASSERT_EQ(ignored.exit_code, 0) << ignored.err;
  EXPECT_EQ(ignored.err, "");
}

TEST_F(KubectlApplyTest, ServerDryRunsAndDiffStoreNothing) {
  const std::string path = File("web.yaml", kDeployment);
  auto dry_create = Kubectl({"apply", "--dry-run=server", "-f", path});
  ASSERT_EQ(dry_create.exit_code, 0) << dry_create.err;
  EXPECT_EQ(dry_create.out, "deployment.apps/web created (server dry run)\n");
  EXPECT_EQ(env_.store().Get(store::ObjectKey{"Deployment", "default", "web"}).status().code(), StatusCode::kNotFound);

  ASSERT_EQ(Kubectl({"apply", "-f", path}).exit_code, 0);
  const Object before = Stored("Deployment", "web");
  const int64_t rv = env_.store().CurrentResourceVersion();

  File("web.yaml", Replace(kDeployment, "replicas: 2", "replicas: 5"));
  auto diff = Kubectl({"diff", "-f", path});
  EXPECT_EQ(diff.exit_code, 1) << diff.out << diff.err;  // 1: there are differences
  EXPECT_NE(diff.out.find("-  replicas: 2"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("+  replicas: 5"), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find("resourceVersion"), std::string::npos) << diff.out;  // a dry run takes none

  auto dry_apply = Kubectl({"apply", "--dry-run=server", "-f", path});
  ASSERT_EQ(dry_apply.exit_code, 0) << dry_apply.err;
  EXPECT_EQ(dry_apply.out, "deployment.apps/web configured (server dry run)\n");
  auto dry_delete = Kubectl({"delete", "--dry-run=server", "deploy", "web"});
  ASSERT_EQ(dry_delete.exit_code, 0) << dry_delete.err;
  EXPECT_EQ(dry_delete.out, "deployment.apps \"web\" deleted (server dry run)\n");
  auto dry_label = Kubectl({"label", "--dry-run=server", "deploy", "web", "x=y"});
  ASSERT_EQ(dry_label.exit_code, 0) << dry_label.err;

  EXPECT_EQ(Stored("Deployment", "web"), before);
  EXPECT_EQ(env_.store().CurrentResourceVersion(), rv);
}

TEST_F(KubectlApplyTest, ServerSideApplyIsRefusedWithWhatToUseInstead) {
  auto r = Kubectl({"apply", "--server-side", "-f", File("web.yaml", kDeployment)});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("use kubectl apply without --server-side"), std::string::npos) << r.err;
  EXPECT_EQ(env_.store().Get(store::ObjectKey{"Deployment", "default", "web"}).status().code(), StatusCode::kNotFound);
}

TEST_F(KubectlApplyTest, PatchPreconditionsAndMediaTypesOverHttp) {
  ASSERT_EQ(Kubectl({"apply", "-f", File("web.yaml", kDeployment)}).exit_code, 0);
  const std::string path = "/apis/apps/v1/namespaces/default/deployments/web";
  const std::string stale = Stored("Deployment", "web")["metadata"]["resourceVersion"];
  ASSERT_EQ(Kubectl({"label", "deploy", "web", "a=b"}).exit_code, 0);
  const std::string rv = Stored("Deployment", "web")["metadata"]["resourceVersion"];
  // A patch that names a stale resourceVersion is a Conflict; the current one applies.
  auto patch = [&](const std::string& query, const std::string& body, const std::string& type) {
    return env_.Curl("PATCH", path + query, body, true, type).substr(0, 3);
  };
  const std::string merge = "application/merge-patch+json";
  EXPECT_EQ(patch("", R"({"metadata":{"resourceVersion":")" + stale + R"("},"spec":{"replicas":9}})", merge), "409");
  EXPECT_EQ(patch("", R"({"metadata":{"resourceVersion":")" + rv + R"("},"spec":{"replicas":9}})", merge), "200");
  EXPECT_EQ(Stored("Deployment", "web")["spec"]["replicas"], 9);
  // Not a patch type: 415; not JSON: 400; a dryRun value other than All: 400.
  EXPECT_EQ(patch("", "{}", "text/plain"), "415");
  EXPECT_EQ(patch("", "{nope", merge), "400");
  EXPECT_EQ(patch("?dryRun=Some", "{}", merge), "400");
  // The status subresource takes patches too, and only its status changes.
  EXPECT_EQ(patch("/status", R"({"status":{"readyReplicas":1},"spec":{"replicas":1}})", merge), "200");
  Object web = Stored("Deployment", "web");
  EXPECT_EQ(web["status"]["readyReplicas"], 1);
  EXPECT_EQ(web["spec"]["replicas"], 9);
}


TEST_F(KubectlApplyTest, ScaleThroughTheScaleSubresource) {
  ASSERT_EQ(Kubectl({"apply", "-f", File("web.yaml", kDeployment)}).exit_code, 0);
  auto scaled = Kubectl({"scale", "deploy", "web", "--replicas=5"});
  ASSERT_EQ(scaled.exit_code, 0) << scaled.err;
  EXPECT_EQ(scaled.out, "deployment.apps/web scaled\n");
  Object web = Stored("Deployment", "web");
  EXPECT_EQ(web["spec"]["replicas"], 5);
  EXPECT_EQ(web["metadata"]["generation"], 2);

  // kubectl's precondition, a server dry run: neither changes anything.
  auto wrong = Kubectl({"scale", "deploy", "web", "--replicas=1", "--current-replicas=2"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("Expected replicas to be 2, was 5"), std::string::npos) << wrong.err;
  auto dry = Kubectl({"scale", "deploy", "web", "--replicas=1", "--dry-run=server"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(Stored("Deployment", "web"), web);

  // The Scale object, and a PUT of it with a negative count.
  const std::string path = "/apis/apps/v1/namespaces/default/deployments/web/scale";
  std::string got = env_.Curl("GET", path);
  ASSERT_EQ(got.substr(0, 4), "200\n") << got;
  Object scale = Object::parse(got.substr(4));
  EXPECT_EQ(scale["kind"], "Scale");
  EXPECT_EQ(scale["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(scale["spec"]["replicas"], 5);
  EXPECT_EQ(scale["status"]["selector"], "app=web");
  EXPECT_EQ(scale["metadata"]["resourceVersion"], web["metadata"]["resourceVersion"]);
  scale["spec"]["replicas"] = -1;
  std::string refused = env_.Curl("PUT", path, scale.dump());
  EXPECT_EQ(refused.substr(0, 4), "422\n") << refused;
  EXPECT_NE(refused.find("must be greater than or equal to 0"), std::string::npos) << refused;
  scale["spec"]["replicas"] = 2;
  EXPECT_EQ(env_.Curl("PUT", path, scale.dump()).substr(0, 4), "200\n");
  EXPECT_EQ(env_.Curl("PUT", path, scale.dump()).substr(0, 4), "409\n");  // its resourceVersion is stale now
  EXPECT_EQ(Stored("Deployment", "web")["spec"]["replicas"], 2);
  // Only workloads with replicas have it.
  EXPECT_EQ(env_.Curl("GET", "/api/v1/namespaces/default/configmaps/x/scale").substr(0, 4), "404\n");
}

}  // namespace
}  // namespace moor::api
