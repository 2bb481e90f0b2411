// DELETE of Pods through the real API server (HTTPS on loopback, a real SqliteStore) as
// kube-apiserver serves it: a bound pod is marked Terminating and answered 200 with the object,
// the grace comes from DeleteOptions (body or query) or the spec, 0 removes it at once, a
// later DELETE may only shorten it, preconditions hold, its name stays taken until it is gone;
// and the real kubectl shows it Terminating and (without --wait=false) waits until it is gone.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "api_test_env.h"
#include "moor/manifests/kinds.h"
#include "moor/testing/process.h"

namespace moor::api {
namespace {

using manifests::Object;
using testenv::ApiTestEnv;

using testenv::kKubectl;

const manifests::KindInfo& PodKind() { return *manifests::FindKindByKind("Pod"); }

Object PodJson(const std::string& name, const std::string& node, int grace) {
  Object pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"spec",
                 {{"terminationGracePeriodSeconds", grace},
                  {"containers", Object::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
  if (!node.empty()) pod["spec"]["nodeName"] = node;
  return pod;
}

std::string Deletion(const Object& obj) { return manifests::StringAt(obj, "metadata.deletionTimestamp"); }
const Object& Grace(const Object& obj) { return manifests::FieldAt(obj, "metadata.deletionGracePeriodSeconds"); }

class GracefulDeleteApiTest : public ::testing::Test {
 protected:
  Object MustCreate(const Object& pod) {
    auto created = env_.client().Create(pod);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : Object();
  }
  StatusOr<store::Record> Stored(const std::string& name) {
    return env_.store().Get(store::ObjectKey{"Pod", "default", name});
  }
  bool Gone(const std::string& name) { return Stored(name).status().code() == StatusCode::kNotFound; }
  // Removes a Terminating pod as its node does at the end (grace 0, uid precondition).
  void RemoveAsTheNode(const std::string& name) {
    auto stored = Stored(name);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    store::DeleteOptions options;
    options.grace_period_seconds = 0;
    options.precondition_uid = stored->object["metadata"]["uid"];
    auto removed = env_.store().Delete(store::ObjectKey{"Pod", "default", name}, options);
    ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  }

  ApiTestEnv env_;
};

TEST_F(GracefulDeleteApiTest, BoundPodIsMarkedAndAnsweredWithTheObject) {
  MustCreate(PodJson("web", "n1", 20));
  auto deleted = env_.client().Delete(PodKind(), "default", "web");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ((*deleted)["kind"], "Pod");
  EXPECT_FALSE(Deletion(*deleted).empty());
  EXPECT_EQ(Grace(*deleted), 20);
  auto got = env_.client().Get(PodKind(), "default", "web");
  ASSERT_TRUE(got.ok()) << "a Terminating pod is still served: " << got.status().ToString();
  EXPECT_EQ(Deletion(*got), Deletion(*deleted));

  // Its name is taken until it is gone, with a message that says why.
  auto again = env_.client().Create(PodJson("web", "n1", 20));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("object is being deleted: pods \"web\" already exists"), std::string::npos)
      << again.status().message();

  // So is a replace of its spec (what `moor apply` sends for an existing name): nothing of it
  // would last. Its labels can change, as in Kubernetes (kubectl label of a Terminating pod).
  Object changed = *got;
  changed["spec"]["terminationGracePeriodSeconds"] = 5;
  auto replaced = env_.client().Update(changed);
  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.status().code(), StatusCode::kConflict);
  EXPECT_NE(replaced.status().message().find("the object is being deleted (Terminating)"), std::string::npos)
      << replaced.status().message();
  auto labeled = env_.Kubectl({"label", "pod", "web", "debug=yes"});
  ASSERT_EQ(labeled.exit_code, 0) << labeled.err;
  got = env_.client().Get(PodKind(), "default", "web");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["metadata"]["labels"]["debug"], "yes");
  EXPECT_EQ(Deletion(*got), Deletion(*deleted));

  // Longer is ignored, shorter is taken, 0 removes it.
  api::DeleteOptions longer;
  longer.grace_period_seconds = 60;
  auto unchanged = env_.client().Delete(PodKind(), "default", "web", longer);
  ASSERT_TRUE(unchanged.ok()) << unchanged.status().ToString();
  EXPECT_EQ(Grace(*unchanged), 20);
  EXPECT_EQ(Deletion(*unchanged), Deletion(*deleted));
  api::DeleteOptions shorter;
  shorter.grace_period_seconds = 2;
  auto shortened = env_.client().Delete(PodKind(), "default", "web", shorter);
  ASSERT_TRUE(shortened.ok()) << shortened.status().ToString();
  EXPECT_EQ(Grace(*shortened), 2);
  EXPECT_LT(Deletion(*shortened), Deletion(*deleted));
  api::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(env_.client().Delete(PodKind(), "default", "web", now).ok());
  EXPECT_TRUE(Gone("web"));
  EXPECT_TRUE(env_.client().Create(PodJson("web", "n1", 20)).ok()) << "the name is free again";
}

TEST_F(GracefulDeleteApiTest, GraceFromTheBodyOrTheQueryAndUnboundPodsAtOnce) {
  MustCreate(PodJson("body", "n1", 30));
  std::string answer = env_.Curl("DELETE", "/api/v1/namespaces/default/pods/body",
                                 R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":5})");
  ASSERT_EQ(answer.substr(0, 4), "200\n") << answer;
  auto body = Stored("body");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(Grace(body->object), 5);

  MustCreate(PodJson("query", "n1", 30));
  answer = env_.Curl("DELETE", "/api/v1/namespaces/default/pods/query?gracePeriodSeconds=0");
  ASSERT_EQ(answer.substr(0, 4), "200\n") << answer;
  EXPECT_TRUE(Gone("query"));

  MustCreate(PodJson("unbound", "", 30));
  ASSERT_TRUE(env_.client().Delete(PodKind(), "default", "unbound").ok());
  EXPECT_TRUE(Gone("unbound"));

  answer = env_.Curl("DELETE", "/api/v1/namespaces/default/pods/body?gracePeriodSeconds=soon");
  EXPECT_EQ(answer.substr(0, 4), "400\n") << answer;
}

TEST_F(GracefulDeleteApiTest, PreconditionsHold) {
  Object created = MustCreate(PodJson("web", "n1", 30));
  api::DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "not-its-uid";
  wrong_uid.grace_period_seconds = 0;
  auto refused = env_.client().Delete(PodKind(), "default", "web", wrong_uid);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_NE(refused.status().message().find("Precondition failed: UID in precondition: not-its-uid"),
            std::string::npos)
      << refused.status().message();
  api::DeleteOptions stale_rv;
  stale_rv.precondition_rv = std::stoll(created["metadata"]["resourceVersion"].get<std::string>()) - 1;
  EXPECT_EQ(env_.client().Delete(PodKind(), "default", "web", stale_rv).status().code(), StatusCode::kConflict);
  EXPECT_TRUE(Deletion(Stored("web")->object).empty());

  api::DeleteOptions right;
  right.precondition_uid = created["metadata"]["uid"];
  right.grace_period_seconds = 0;
  ASSERT_TRUE(env_.client().Delete(PodKind(), "default", "web", right).ok());
  EXPECT_TRUE(Gone("web"));
}

class GracefulDeleteKubectlTest : public GracefulDeleteApiTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testenv::KubectlInstalled());
  }
  std::map<std::string, std::string> Env() const { return env_.KubectlEnv(); }
  moor::testing::CommandResult Kubectl(const std::vector<std::string>& args) { return env_.Kubectl(args); }
};

TEST_F(GracefulDeleteKubectlTest, GetShowsTerminatingAndDeleteWaitsUntilThePodIsGone) {
  MustCreate(PodJson("web", "n1", 30));
  auto no_wait = Kubectl({"delete", "pod", "web", "--wait=false"});
  ASSERT_EQ(no_wait.exit_code, 0) << no_wait.out << no_wait.err;
  EXPECT_NE(no_wait.out.find("pod \"web\" deleted"), std::string::npos) << no_wait.out;
  auto get = Kubectl({"get", "pods"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_NE(get.out.find("Terminating"), std::string::npos) << get.out;

  // kubectl delete (waiting, as by default) of the Terminating pod returns only once it is gone.
  std::string log = (env_.dir() / "kubectl-delete.log").string();
  moor::testing::ChildProcess waiting({kKubectl, "delete", "pod", "web", "--timeout=60s"}, log, Env());
  // It has sent its DELETE and is watching: it must still run a while later.
  EXPECT_FALSE(moor::testing::WaitFor([&] { return !waiting.Running(); }, std::chrono::seconds(3)))
      << "kubectl delete returned while the pod was still there";
  EXPECT_FALSE(Gone("web"));
  RemoveAsTheNode("web");
  ASSERT_TRUE(moor::testing::WaitFor([&] { return !waiting.Running(); }, std::chrono::seconds(30)))
      << "kubectl delete did not return after the pod was gone";
  int status = waiting.Stop(SIGKILL, std::chrono::seconds(1));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("pod \"web\" deleted"), std::string::npos) << text.str();

  // --force --grace-period=0 removes at once.
  MustCreate(PodJson("forced", "n1", 30));
  auto forced = Kubectl({"delete", "pod", "forced", "--force", "--grace-period=0"});
  ASSERT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_TRUE(Gone("forced"));
}

}  // namespace
}  // namespace moor::api
