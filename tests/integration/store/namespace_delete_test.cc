// Namespace deletion on a real SQLite store (as kube-apiserver's namespace storage and its
// NamespaceLifecycle admission): a Namespace with objects in it is marked Terminating instead of
// removed, an empty one goes at once, nothing new can be created in a Terminating namespace
// (updates, status writes, deletes and the Namespace's own removal once empty still work), and
// "default", "kube-system", "kube-public" cannot be deleted.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace moor::store::testing {
namespace {

const ObjectKey kNs{"Namespace", "", "shop"};

Object Namespace(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

class NamespaceDeleteTest : public StoreTest {
 protected:
  Object MustCreate(const Object& obj) {
    auto created = store_->Create(obj);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : Object();
  }
  StatusOr<OpResult> DeleteNs(const ObjectKey& key = kNs) { return store_->Delete(key, DeleteOptions{}); }
};

TEST_F(NamespaceDeleteTest, NewNamespaceIsActive) {
  Object ns = MustCreate(Namespace("shop"));
  EXPECT_EQ(manifests::StringAt(ns, "status.phase"), "Active");
  auto got = store_->Get(kNs);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(manifests::StringAt(got->object, "status.phase"), "Active");
}

TEST_F(NamespaceDeleteTest, EmptyNamespaceIsRemovedAtOnce) {
  MustCreate(Namespace("shop"));
  MustCreate(ConfigMap("elsewhere", "other", {{"a", "1"}}));  // other namespaces do not count
  auto deleted = DeleteNs();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->action, OpResult::Action::kDeleted);
  EXPECT_EQ(store_->Get(kNs).status().code(), StatusCode::kNotFound);
}

TEST_F(NamespaceDeleteTest, NamespaceWithObjectsIsMarkedTerminatingAndWatchersSeeModified) {
  Object created = MustCreate(Namespace("shop"));
  MustCreate(ConfigMap("settings", "shop", {{"a", "1"}}));
  auto watcher = store_->Watch(WatchOptions{"Namespace", std::nullopt, RvOf(created)});
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();

  auto deleted = DeleteNs();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->action, OpResult::Action::kUpdated);
  EXPECT_EQ(manifests::StringAt(deleted->object, "metadata.deletionTimestamp"), FormatRfc3339(clock_.Now()));
  EXPECT_EQ(manifests::StringAt(deleted->object, "status.phase"), "Terminating");

  auto got = store_->Get(kNs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(manifests::StringAt(got->object, "status.phase"), "Terminating");
  EXPECT_FALSE(manifests::StringAt(got->object, "metadata.deletionTimestamp").empty());

  auto event = (*watcher)->Next(std::chrono::seconds(5));
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->type, WatchEvent::Type::kModified);
  EXPECT_EQ(manifests::StringAt((*event)->object, "status.phase"), "Terminating");

  // A second delete while something is left changes nothing.
  clock_.Advance(std::chrono::seconds(10));
  auto again = DeleteNs();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->action, OpResult::Action::kUnchanged);
  EXPECT_EQ(manifests::StringAt(again->object, "metadata.deletionTimestamp"),
            manifests::StringAt(deleted->object, "metadata.deletionTimestamp"));
}

TEST_F(NamespaceDeleteTest, TerminatingNamespaceRefusesCreatesButNotUpdatesStatusOrDeletes) {
  MustCreate(Namespace("shop"));
  Object cm = MustCreate(ConfigMap("settings", "shop", {{"a", "1"}}));
  Object pod = MustCreate({{"apiVersion", "v1"},
                           {"kind", "Pod"},
                           {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
                           {"spec", {{"nodeName", "n1"}, {"containers", Object::array({{{"name", "c"}, {"image", "b"}}})}}}});
  ASSERT_TRUE(DeleteNs().ok());

  // Create, and apply of a new object: 403 with kube-apiserver's message.
  auto created = store_->Create(ConfigMap("new", "shop", {{"b", "2"}}));
  ASSERT_EQ(created.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(created.status().message(),
            "configmaps \"new\" is forbidden: unable to create new content in namespace shop because it is being "
            "terminated");
  Transaction txn;
  WriteOp apply;
  apply.type = WriteOp::Type::kApply;
  apply.object = ConfigMap("applied", "shop", {{"c", "3"}});
  txn.ops.push_back(apply);
  auto committed = store_->Commit(txn);
  ASSERT_EQ(committed.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(committed.status().message().find("unable to create new content in namespace shop because it is being "
                                              "terminated"),
            std::string::npos)
      << committed.status().message();
  // Other namespaces are not affected.
  EXPECT_TRUE(store_->Create(ConfigMap("new", "other", {{"b", "2"}})).ok());

  // Updates and status writes of what is there still work.
  Object changed = cm;
  changed["data"]["a"] = "2";
  auto updated = store_->Update(changed);
  EXPECT_TRUE(updated.ok()) << updated.status().ToString();
  Object with_status = pod;
  with_status["status"] = {{"phase", "Running"}};
  auto status = store_->UpdateStatus(with_status);
  EXPECT_TRUE(status.ok()) << status.status().ToString();

  // A new event there is dropped, not an error.
  EventInput event;
  event.involved = ObjectKey{"Pod", "shop", "web"};
  event.reason = "Killing";
  event.message = "Stopping container c";
  EXPECT_TRUE(store_->RecordEvent(event).ok());
  auto events = store_->List(ListOptions{"Event", std::string("shop"), std::nullopt});
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->items.empty());

  // Deletes work (the bound pod gracefully); the namespace stays while anything is left.
  EXPECT_TRUE(store_->Delete(ObjectKey{"ConfigMap", "shop", "settings"}).ok());
  auto marked = store_->Delete(ObjectKey{"Pod", "shop", "web"}, DeleteOptions{});
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(marked->action, OpResult::Action::kUpdated);
  EXPECT_EQ(DeleteNs()->action, OpResult::Action::kUnchanged);
  DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(store_->Delete(ObjectKey{"Pod", "shop", "web"}, now).ok());

  // Empty now: the next delete removes it, and the name can be used again.
  auto removed = DeleteNs();
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(removed->action, OpResult::Action::kDeleted);
  EXPECT_EQ(store_->Get(kNs).status().code(), StatusCode::kNotFound);
  Object again = MustCreate(Namespace("shop"));
  EXPECT_EQ(manifests::StringAt(again, "status.phase"), "Active");
  EXPECT_TRUE(store_->Create(ConfigMap("new", "shop", {{"b", "2"}})).ok());
}

TEST_F(NamespaceDeleteTest, TerminatingNamespaceCannotBeUpdatedOrCreatedAgainUntilGone) {
  MustCreate(Namespace("shop"));
  MustCreate(ConfigMap("settings", "shop", {{"a", "1"}}));
  ASSERT_TRUE(DeleteNs().ok());
  auto created = store_->Create(Namespace("shop"));
  EXPECT_EQ(created.status().code(), StatusCode::kAlreadyExists) << created.status().ToString();
  Transaction txn;
  WriteOp apply;
  apply.type = WriteOp::Type::kApply;
  apply.object = Namespace("shop");
  apply.object["metadata"]["labels"] = {{"team", "a"}};
  txn.ops.push_back(apply);
  EXPECT_EQ(store_->Commit(txn).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(NamespaceDeleteTest, ImmortalNamespacesAreRefused) {
  for (const char* name : {"default", "kube-system", "kube-public"}) {
    MustCreate(Namespace(name));
    auto deleted = DeleteNs(ObjectKey{"Namespace", "", name});
    ASSERT_EQ(deleted.status().code(), StatusCode::kPermissionDenied) << name;
    EXPECT_EQ(deleted.status().message(),
              std::string("namespaces \"") + name + "\" is forbidden: this namespace may not be deleted");
    EXPECT_TRUE(store_->Get(ObjectKey{"Namespace", "", name}).ok());
  }
  // kube-node-lease is an ordinary namespace.
  MustCreate(Namespace("kube-node-lease"));
  EXPECT_TRUE(DeleteNs(ObjectKey{"Namespace", "", "kube-node-lease"}).ok());
}

TEST_F(NamespaceDeleteTest, CreateInANamespaceWithoutNamespaceObjectIsNotChecked) {
  // moor does not require the Namespace object (a file may declare objects in any namespace).
  EXPECT_TRUE(store_->Create(ConfigMap("settings", "nowhere", {{"a", "1"}})).ok());
}

TEST_F(NamespaceDeleteTest, TerminatingStateSurvivesReopen) {
  MustCreate(Namespace("shop"));
  MustCreate(ConfigMap("settings", "shop", {{"a", "1"}}));
  ASSERT_TRUE(DeleteNs().ok());
  Open();
  auto got = store_->Get(kNs);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(manifests::StringAt(got->object, "status.phase"), "Terminating");
  EXPECT_EQ(store_->Create(ConfigMap("new", "shop", {{"b", "2"}})).status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace moor::store::testing
