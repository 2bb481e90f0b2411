// The namespace controller on real parts: a real SqliteStore file, its watches, and the
// Endpoints controller running beside it (which must not refill a Terminating namespace). The
// node agent's part — removing a Terminating pod once it stopped — is done by the test with a
// grace-0 delete, as the agent does. Every wait is bounded polling for a condition.
#include <gtest/gtest.h>

#include <string>

#include "moor/reconciler/endpoints_controller.h"
#include "moor/reconciler/namespace_controller.h"
#include "moor/store/sqlite_store.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::reconciler {
namespace {

using manifests::Object;
using manifests::ObjectKey;
using moor::testing::TempDir;
using moor::testing::WaitFor;

const ObjectKey kNs{"Namespace", "", "shop"};
const ObjectKey kConfigMap{"ConfigMap", "shop", "settings"};
const ObjectKey kService{"Service", "shop", "web"};
const ObjectKey kEndpoints{"Endpoints", "shop", "web"};
const ObjectKey kBoundPod{"Pod", "shop", "web-1"};
const ObjectKey kUnboundPod{"Pod", "shop", "pending"};

Object PodObject(const std::string& name, const std::string& node) {
  Object pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "shop"}, {"labels", {{"app", "web"}}}}},
                {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  if (!node.empty()) pod["spec"]["nodeName"] = node;
  return pod;
}

class NamespaceControllerTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenStore(); }

  void TearDown() override {
    // Threads stop before the store goes.
    namespaces_.reset();
    endpoints_.reset();
    store_.reset();
  }

  void OpenStore() {
    store::SqliteStoreOptions options;
    options.path = dir_ / "state.db";
    auto store = store::OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // `recheck` is long by default, so that a test passing shows the Pod watch woke the namespace.
  void StartController(std::chrono::milliseconds recheck = std::chrono::hours(1)) {
    NamespaceControllerOptions options;
    options.store = store_.get();
    options.recheck_interval = recheck;
    auto controller = NamespaceController::Start(options);
    ASSERT_TRUE(controller.ok()) << controller.status().ToString();
    namespaces_ = std::move(*controller);
  }

  void StartEndpoints() {
    EndpointsControllerOptions options;
    options.store = store_.get();
    auto controller = EndpointsController::Start(options);
    ASSERT_TRUE(controller.ok()) << controller.status().ToString();
    endpoints_ = std::move(*controller);
  }

  void MustCreate(const Object& obj) {
    auto created = store_->Create(obj);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  // A namespace with a ConfigMap, a Service (with its Endpoints), an unbound and a bound Pod,
  // and an Event.
  void FillNamespace() {
    MustCreate({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "shop"}}}});
    MustCreate({{"apiVersion", "v1"},
                {"kind", "ConfigMap"},
                {"metadata", {{"name", "settings"}, {"namespace", "shop"}}},
                {"data", {{"a", "1"}}}});
    MustCreate({{"apiVersion", "v1"},
                {"kind", "Service"},
                {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
                {"spec", {{"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}, {"protocol", "TCP"}}}}}}});
    MustCreate(PodObject("pending", ""));
    MustCreate(PodObject("web-1", "n1"));
    store::EventInput event;
    event.involved = kBoundPod;
    event.reason = "Started";
    event.message = "Started container c";
    ASSERT_TRUE(store_->RecordEvent(event).ok());
  }

  bool Exists(const ObjectKey& key) { return store_->Get(key).ok(); }
  bool Gone(const ObjectKey& key) { return store_->Get(key).status().code() == StatusCode::kNotFound; }
  bool Terminating(const ObjectKey& key) {
    auto got = store_->Get(key);
    return got.ok() && !manifests::StringAt(got->object, "metadata.deletionTimestamp").empty();
  }
  size_t CountIn(const std::string& kind) {
    auto listed = store_->List({kind, std::string("shop"), std::nullopt});
    return listed.ok() ? listed->items.size() : 1000;
  }
  bool OnlyTheBoundPodLeft() {
    for (const char* kind : {"ConfigMap", "Service", "Endpoints", "Event"}) {
      if (CountIn(kind) != 0) return false;
    }
    return CountIn("Pod") == 1 && Terminating(kBoundPod);
  }
  // What the node agent does once the pod's containers stopped.
  void AgentRemovesPod() {
    store::DeleteOptions now;
    now.grace_period_seconds = 0;
    auto removed = store_->Delete(kBoundPod, now);
    ASSERT_TRUE(removed.ok()) << removed.status().ToString();
    ASSERT_EQ(removed->action, store::OpResult::Action::kDeleted);
  }

  TempDir dir_{"nsctl"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<EndpointsController> endpoints_;
  std::unique_ptr<NamespaceController> namespaces_;
};

TEST_F(NamespaceControllerTest, DeletedNamespaceIsEmptiedThenRemoved) {
  StartEndpoints();
  StartController();
  FillNamespace();
  ASSERT_TRUE(WaitFor([&] { return Exists(kEndpoints); }));

  auto deleted = store_->Delete(kNs, store::DeleteOptions{});
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(manifests::StringAt(deleted->object, "status.phase"), "Terminating");

  // Everything goes at once but the bound pod, which its node stops first (gracefully).
  ASSERT_TRUE(WaitFor([&] { return OnlyTheBoundPodLeft(); })) << "left: pods " << CountIn("Pod") << ", configmaps "
                                                              << CountIn("ConfigMap") << ", services "
                                                              << CountIn("Service") << ", endpoints "
                                                              << CountIn("Endpoints") << ", events " << CountIn("Event");
  EXPECT_TRUE(Terminating(kNs));
  // The Endpoints controller cannot put its Endpoints back meanwhile.
  EXPECT_EQ(store_->Create({{"apiVersion", "v1"},
                            {"kind", "ConfigMap"},
                            {"metadata", {{"name", "late"}, {"namespace", "shop"}}}})
                .status()
                .code(),
            StatusCode::kPermissionDenied);

  AgentRemovesPod();
  ASSERT_TRUE(WaitFor([&] { return Gone(kNs); }));
  EXPECT_EQ(CountIn("Endpoints"), 0u);
  // The name is free again.
  MustCreate({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "shop"}}}});
  MustCreate({{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "settings"}, {"namespace", "shop"}}}});
}

TEST_F(NamespaceControllerTest, OtherNamespacesAreLeftAlone) {
  StartController();
  FillNamespace();
  MustCreate({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "other"}}}});
  MustCreate({{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "settings"}, {"namespace", "other"}}}});
  ASSERT_TRUE(store_->Delete(kNs, store::DeleteOptions{}).ok());
  ASSERT_TRUE(WaitFor([&] { return OnlyTheBoundPodLeft(); }));
  AgentRemovesPod();
  ASSERT_TRUE(WaitFor([&] { return Gone(kNs); }));
  EXPECT_TRUE(Exists(ObjectKey{"Namespace", "", "other"}));
  EXPECT_TRUE(Exists(ObjectKey{"ConfigMap", "other", "settings"}));
}

TEST_F(NamespaceControllerTest, ControllerRestartedMidwayFinishes) {
  StartController();
  FillNamespace();
  ASSERT_TRUE(store_->Delete(kNs, store::DeleteOptions{}).ok());
  ASSERT_TRUE(WaitFor([&] { return OnlyTheBoundPodLeft(); }));

  // The daemon stops; the pod's node finishes while it is down; the daemon starts again.
  namespaces_.reset();
  AgentRemovesPod();
  store_.reset();
  OpenStore();
  EXPECT_TRUE(Terminating(kNs));
  StartController();
  ASSERT_TRUE(WaitFor([&] { return Gone(kNs); }));
}

TEST_F(NamespaceControllerTest, NamespaceDeletedWhileNoControllerRanIsEmptiedAtStart) {
  FillNamespace();
  ASSERT_TRUE(store_->Delete(kNs, store::DeleteOptions{}).ok());
  EXPECT_EQ(CountIn("ConfigMap"), 1u);  // the store only marks it
  StartController();
  ASSERT_TRUE(WaitFor([&] { return OnlyTheBoundPodLeft(); }));
  AgentRemovesPod();
  ASSERT_TRUE(WaitFor([&] { return Gone(kNs); }));
}

}  // namespace
}  // namespace moor::reconciler
