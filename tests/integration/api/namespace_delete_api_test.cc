// Deleting a Namespace through the real API server (HTTPS on loopback, a real SqliteStore) with
// the real namespace controller running and the real kubectl: the namespace shows Terminating
// (kubectl get ns; -o yaml has its deletionTimestamp) while its content goes, creates in it are
// Forbidden with kube-apiserver's message, it is NotFound once empty, and default,
// kube-system and kube-public cannot be deleted. The node agent's last step for a bound pod
// (removing it with grace 0 once stopped) is done by the test.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "api_test_env.h"
#include "moor/reconciler/namespace_controller.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::api {
namespace {

using manifests::Object;
using testenv::ApiTestEnv;

using testenv::kKubectl;
const store::ObjectKey kPod{"Pod", "shop", "web"};

class NamespaceDeleteApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testenv::KubectlInstalled());
    reconciler::NamespaceControllerOptions options;
    options.store = &env_.store();
    auto controller = reconciler::NamespaceController::Start(options);
    ASSERT_TRUE(controller.ok()) << controller.status().ToString();
    controller_ = std::move(*controller);
  }
  void TearDown() override { controller_.reset(); }

  std::map<std::string, std::string> Env() const { return env_.KubectlEnv(); }
  moor::testing::CommandResult Kubectl(const std::vector<std::string>& args) { return env_.Kubectl(args); }
  void MustKubectl(const std::vector<std::string>& args) {
    auto r = Kubectl(args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  // `kubectl create -f` of `yaml` (kubectl's generators, `kubectl create namespace x`, send
  // protobuf, which moor's API does not read).
  moor::testing::CommandResult KubectlCreate(const std::string& name, const std::string& yaml) {
    std::string path = (env_.dir() / (name + ".yaml")).string();
    moor::testing::WriteFile(path, yaml);
    return Kubectl({"create", "-f", path});
  }
  void MustCreateNamespace(const std::string& name) {
    auto r = KubectlCreate("ns-" + name, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  static std::string ConfigMapYaml(const std::string& name) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: shop\ndata:\n  a: \"1\"\n";
  }
  // A namespace "shop" with a ConfigMap and a pod bound to a node (which stops it gracefully).
  void FillShop() {
    MustCreateNamespace("shop");
    auto cm = KubectlCreate("settings", ConfigMapYaml("settings"));
    ASSERT_EQ(cm.exit_code, 0) << cm.out << cm.err;
    Object pod = {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
                  {"spec", {{"nodeName", "n1"}, {"containers", Object::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
    auto created = env_.client().Create(pod);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  bool PodTerminating() {
    auto got = env_.store().Get(kPod);
    return got.ok() && !manifests::StringAt(got->object, "metadata.deletionTimestamp").empty();
  }
  // What the node agent does once the pod stopped.
  void RemovePodAsTheNode() {
    store::DeleteOptions now;
    now.grace_period_seconds = 0;
    auto removed = env_.store().Delete(kPod, now);
    ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  }

  ApiTestEnv env_;
  std::unique_ptr<reconciler::NamespaceController> controller_;
};

TEST_F(NamespaceDeleteApiTest, TerminatingThenNotFoundAndCreatesAreForbiddenMeanwhile) {
  FillShop();
  auto deleted = Kubectl({"delete", "namespace", "shop", "--wait=false"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err;
  EXPECT_NE(deleted.out.find("namespace \"shop\" deleted"), std::string::npos) << deleted.out;

  auto get = Kubectl({"get", "namespaces"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_NE(get.out.find("Terminating"), std::string::npos) << get.out;
  auto yaml = Kubectl({"get", "namespace", "shop", "-o", "yaml"});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_NE(yaml.out.find("deletionTimestamp:"), std::string::npos) << yaml.out;
  EXPECT_NE(yaml.out.find("phase: Terminating"), std::string::npos) << yaml.out;

  // A second delete while it is being emptied: kube-apiserver's Conflict.
  auto twice = Kubectl({"delete", "namespace", "shop", "--wait=false"});
  EXPECT_NE(twice.exit_code, 0);
  EXPECT_NE(twice.err.find("The system is ensuring all content is removed from this namespace"), std::string::npos)
      << twice.err;

  auto refused = KubectlCreate("late", ConfigMapYaml("late"));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("Error from server (Forbidden)"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("configmaps \"late\" is forbidden: unable to create new content in namespace shop because "
                             "it is being terminated"),
            std::string::npos)
      << refused.err;
  std::string answer = env_.Curl("POST", "/api/v1/namespaces/shop/configmaps",
                                 R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"raw","namespace":"shop"}})");
  EXPECT_EQ(answer.substr(0, 4), "403\n") << answer;
  EXPECT_NE(answer.find("\"reason\":\"Forbidden\""), std::string::npos) << answer;

  // The controller deletes the ConfigMap; the bound pod goes through its node.
  ASSERT_TRUE(moor::testing::WaitFor([&] {
    return PodTerminating() && env_.store().Get({"ConfigMap", "shop", "settings"}).status().code() == StatusCode::kNotFound;
  }));
  auto still = Kubectl({"get", "namespace", "shop"});
  EXPECT_EQ(still.exit_code, 0) << still.err;
  RemovePodAsTheNode();
  ASSERT_TRUE(moor::testing::WaitFor([&] {
    auto gone = Kubectl({"get", "namespace", "shop"});
    return gone.exit_code != 0 && gone.err.find("NotFound") != std::string::npos;
  }));
  auto gone = Kubectl({"get", "namespace", "shop"});
  EXPECT_NE(gone.err.find("Error from server (NotFound): namespaces \"shop\" not found"), std::string::npos) << gone.err;
}

TEST_F(NamespaceDeleteApiTest, KubectlDeleteWaitsUntilTheNamespaceIsGone) {
  FillShop();
  std::string log = (env_.dir() / "kubectl-delete.log").string();
  moor::testing::ChildProcess waiting({kKubectl, "delete", "namespace", "shop", "--timeout=60s"}, log, Env());
  ASSERT_TRUE(moor::testing::WaitFor([&] { return PodTerminating(); }));
  EXPECT_TRUE(waiting.Running()) << "kubectl delete returned while the namespace was still there";
  RemovePodAsTheNode();
  ASSERT_TRUE(moor::testing::WaitFor([&] { return !waiting.Running(); }, std::chrono::seconds(30)))
      << "kubectl delete did not return after the namespace was gone";
  int status = waiting.Stop(SIGKILL, std::chrono::seconds(1));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("namespace \"shop\" deleted"), std::string::npos) << text.str();
}

TEST_F(NamespaceDeleteApiTest, EmptyNamespaceGoesAtOnceAndImmortalOnesAreForbidden) {
  MustCreateNamespace("empty");
  MustKubectl({"delete", "namespace", "empty", "--wait=false"});
  EXPECT_EQ(env_.store().Get({"Namespace", "", "empty"}).status().code(), StatusCode::kNotFound);

  for (const char* name : {"default", "kube-system", "kube-public"}) {
    auto created = env_.client().Create(Object{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
    ASSERT_TRUE(created.ok() || created.status().code() == StatusCode::kAlreadyExists) << created.status().ToString();
    auto refused = Kubectl({"delete", "namespace", name});
    EXPECT_NE(refused.exit_code, 0) << name;
    EXPECT_NE(refused.err.find(std::string("Error from server (Forbidden): namespaces \"") + name +
                               "\" is forbidden: this namespace may not be deleted"),
              std::string::npos)
        << refused.err;
    EXPECT_TRUE(env_.store().Get({"Namespace", "", name}).ok());
  }
  // Through curl: 403 with reason Forbidden.
  std::string answer = env_.Curl("DELETE", "/api/v1/namespaces/default");
  EXPECT_EQ(answer.substr(0, 4), "403\n") << answer;
  EXPECT_NE(answer.find("\"reason\":\"Forbidden\""), std::string::npos) << answer;
}

}  // namespace
}  // namespace moor::api
