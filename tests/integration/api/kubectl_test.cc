// The real kubectl (/usr/bin/kubectl) against moor's API with moor's kubeconfig.
#include <filesystem>

#include <gtest/gtest.h>

#include "api_test_env.h"
#include "moor/testing/process.h"

namespace moor::api {
namespace {

using testenv::ApiTestEnv;
using testenv::DeploymentJson;
using testenv::ServiceJson;

constexpr const char* kKubectl = "/usr/bin/kubectl";

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kKubectl))
        << kKubectl << " is missing: these tests need the real kubectl (1.27-1.33) installed";
  }

  moor::testing::CommandResult Kubectl(const std::vector<std::string>& args) { return env_.Kubectl(args); }

  ApiTestEnv env_;
};

TEST_F(KubectlTest, GetAcrossNamespaces) {
  ASSERT_TRUE(env_.client().Create(DeploymentJson("web", "default", 3)).ok());
  ASSERT_TRUE(env_.client().Create(DeploymentJson("api", "prod", 1, "api")).ok());
  ASSERT_TRUE(env_.client().Create(ServiceJson("web")).ok());
  auto r = Kubectl({"get", "deploy,svc,pods", "-A"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("NAMESPACE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("UP-TO-DATE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("deployment.apps/web"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("deployment.apps/api"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("service/web"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("80:30080/TCP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0/3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prod"), std::string::npos) << r.out;

  auto wide = Kubectl({"get", "deployments", "-o", "wide"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_NE(wide.out.find("busybox:1.36"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("app=web"), std::string::npos) << wide.out;
  EXPECT_EQ(wide.out.find("prod"), std::string::npos) << wide.out;  // only the default namespace

  auto labeled = Kubectl({"get", "deploy", "-A", "-l", "app=api", "-o", "name"});
  ASSERT_EQ(labeled.exit_code, 0) << labeled.err;
  EXPECT_EQ(labeled.out, "deployment.apps/api\n");
}

TEST_F(KubectlTest, GetOneAsJsonMatchesTheStore) {
  ASSERT_TRUE(env_.client().Create(DeploymentJson("web", "default", 3)).ok());
  auto r = Kubectl({"get", "deploy", "web", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto obj = manifests::Object::parse(r.out);
  auto record = env_.store().Get({"Deployment", "default", "web"});
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(obj["kind"], "Deployment");
  EXPECT_EQ(obj["apiVersion"], "apps/v1");
  EXPECT_EQ(obj["metadata"]["name"], "web");
  EXPECT_EQ(obj["metadata"]["uid"], record->object["metadata"]["uid"]);
  EXPECT_EQ(obj["metadata"]["resourceVersion"], record->object["metadata"]["resourceVersion"]);
  EXPECT_EQ(obj["spec"], record->object["spec"]);
  EXPECT_EQ(obj["spec"]["template"]["spec"]["containers"][0]["image"], "busybox:1.36");

  auto missing = Kubectl({"get", "deploy", "nope"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("deployments.apps \"nope\" not found"), std::string::npos) << missing.err;
}

TEST_F(KubectlTest, DeleteRemovesTheObject) {
  ASSERT_TRUE(env_.client().Create(DeploymentJson("web", "default", 3)).ok());
  auto r = Kubectl({"delete", "deploy", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("deployment.apps \"web\" deleted"), std::string::npos) << r.out;
  EXPECT_EQ(env_.store().Get({"Deployment", "default", "web"}).status().code(), StatusCode::kNotFound);
  auto again = Kubectl({"delete", "deploy", "web"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("not found"), std::string::npos) << again.err;
}

TEST_F(KubectlTest, GetNamespaces) {
  manifests::Object ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "prod"}}}};
  ASSERT_TRUE(env_.client().Create(ns).ok());
  auto r = Kubectl({"get", "ns"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("STATUS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prod"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Active"), std::string::npos) << r.out;
}

TEST_F(KubectlTest, WithoutTheTokenKubectlIsRefused) {
  Kubeconfig no_token = env_.kubeconfig();
  no_token.token = "wrong";
  ASSERT_TRUE(WriteKubeconfig(env_.kubeconfig_path(), no_token).ok());
  auto r = Kubectl({"get", "pods"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("You must be logged in to the server"), std::string::npos) << r.err;
}

TEST_F(KubectlTest, GeneratorCommandsSendingProtobufGetAClearRefusal) {
  // kubectl's generators (create configmap/namespace/deployment...) send protobuf, which moor's
  // API does not decode: the answer names what it takes instead of a YAML syntax error.
  auto r = Kubectl({"create", "configmap", "settings", "--from-literal=a=b"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("accepted media types include: application/json, application/yaml"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("kubectl create -f FILE"), std::string::npos) << r.err;
  EXPECT_EQ(env_.store().Get(store::ObjectKey{"ConfigMap", "default", "settings"}).status().code(), StatusCode::kNotFound);
}

TEST_F(KubectlTest, CreateDescribeAndWatch) {
  moor::testing::WriteFile(env_.dir() / "svc.json", ServiceJson("svc").dump());
  // Validated on the server: kubectl finds ?fieldValidation in moor's OpenAPI v3 documents.
  auto created = Kubectl({"create", "-f", (env_.dir() / "svc.json").string()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "service/svc created\n");
  ASSERT_TRUE(env_.store().Get({"Service", "default", "svc"}).ok());

  ASSERT_TRUE(env_.client().Create(DeploymentJson("web", "default", 3)).ok());
  auto described = Kubectl({"describe", "deploy", "web"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("3 desired"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("busybox:1.36"), std::string::npos) << described.out;

  // `get -w` prints the current table from the watch stream, then waits (killed after 3 s).
  auto watched = moor::testing::RunCommand(
      {kKubectl, "get", "deploy", "-w"},
      {{"KUBECONFIG", env_.kubeconfig_path().string()}, {"HOME", env_.dir().path().string()}}, "",
      std::chrono::seconds(3));
  EXPECT_NE(watched.out.find("UP-TO-DATE"), std::string::npos) << watched.out << watched.err;
  EXPECT_NE(watched.out.find("web"), std::string::npos) << watched.out << watched.err;
}

}  // namespace
}  // namespace moor::api
