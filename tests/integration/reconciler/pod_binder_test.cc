// The PodBinder on a real SqliteStore file and its real watch: pods there at start and pods
// created later (also straight after starting on a never-written store) get this node.
#include "moor/reconciler/pod_binder.h"

#include <gtest/gtest.h>

#include <string>

#include "moor/store/sqlite_store.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::reconciler {
namespace {

using manifests::Object;
using moor::testing::WaitFor;

Object PodObject(const std::string& name, const std::string& node = "") {
  Object pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  if (!node.empty()) pod["spec"]["nodeName"] = node;
  return pod;
}

class PodBinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteStoreOptions options;
    options.path = dir_ / "state.db";
    auto store = store::OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    binder_.reset();  // its thread stops before the store goes
    store_.reset();
  }

  void StartBinder() {
    PodBinderOptions options;
    options.store = store_.get();
    options.node_name = "n1";
    auto binder = PodBinder::Start(options);
    ASSERT_TRUE(binder.ok()) << binder.status().ToString();
    binder_ = std::move(*binder);
  }
  void Create(const Object& pod) {
    auto created = store_->Create(pod);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  std::string NodeOf(const std::string& name) {
    auto pod = store_->Get({"Pod", "default", name});
    if (!pod.ok()) return "";
    const Object& node = manifests::FieldAt(pod->object, "spec.nodeName");
    return node.is_string() ? node.get<std::string>() : "";
  }
  bool ScheduledEventFor(const std::string& name) {
    store::ListOptions options;
    options.kind = "Event";
    auto events = store_->List(options);
    if (!events.ok()) return false;
    for (const store::Record& r : events->items) {
      if (manifests::FieldAt(r.object, "reason") == "Scheduled" &&
          manifests::FieldAt(r.object, "involvedObject.name") == name) {
        return true;
      }
    }
    return false;
  }

  moor::testing::TempDir dir_{"pod-binder"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<PodBinder> binder_;
};

TEST_F(PodBinderTest, BindsThePodsThereAtStartAndThoseCreatedLater) {
  Create(PodObject("waiting"));
  Create(PodObject("elsewhere", "n2"));
  StartBinder();
  EXPECT_TRUE(WaitFor([&] { return NodeOf("waiting") == "n1"; }));
  EXPECT_TRUE(WaitFor([&] { return ScheduledEventFor("waiting"); }));
  Create(PodObject("later"));
  EXPECT_TRUE(WaitFor([&] { return NodeOf("later") == "n1"; }));
  EXPECT_EQ(NodeOf("elsewhere"), "n2") << "a bound pod is left alone";
}

// On a never-written store the list is at resourceVersion 0, where a watch means "from now on":
// a pod created right after Start must not fall between the list and the watch.
TEST_F(PodBinderTest, APodCreatedRightAfterStartingOnAnEmptyStoreIsBound) {
  ASSERT_EQ(store_->CurrentResourceVersion(), 0);
  StartBinder();
  Create(PodObject("first"));
  EXPECT_TRUE(WaitFor([&] { return NodeOf("first") == "n1"; }));
}

TEST_F(PodBinderTest, StartRejectsMissingOptions) {
  PodBinderOptions no_store;
  no_store.node_name = "n1";
  EXPECT_FALSE(PodBinder::Start(no_store).ok());
  PodBinderOptions no_node;
  no_node.store = store_.get();
  EXPECT_FALSE(PodBinder::Start(no_node).ok());
}

}  // namespace
}  // namespace moor::reconciler
