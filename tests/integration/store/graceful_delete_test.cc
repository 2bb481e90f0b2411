// Graceful deletion of Pods on a real SQLite store (as kube-apiserver): a bound pod is marked
// with deletionTimestamp/deletionGracePeriodSeconds instead of removed, its grace comes from
// the options or its spec, a later delete may only shorten it, grace 0 and unbound or finished
// pods go at once, preconditions (uid, resourceVersion) hold, and a Terminating pod's name
// cannot be taken again until it is gone.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace moor::store::testing {
namespace {

const ObjectKey kPod{"Pod", "default", "web"};

Object Pod(const std::string& node, std::optional<int> grace = std::nullopt) {
  Object pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", "web"}, {"namespace", "default"}}},
                {"spec", {{"containers", Object::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
  if (!node.empty()) pod["spec"]["nodeName"] = node;
  if (grace) pod["spec"]["terminationGracePeriodSeconds"] = *grace;
  return pod;
}

std::string DeletionTimestamp(const Object& obj) {
  return manifests::StringAt(obj, "metadata.deletionTimestamp");
}

const Object& GraceOf(const Object& obj) { return manifests::FieldAt(obj, "metadata.deletionGracePeriodSeconds"); }

class GracefulDeleteTest : public StoreTest {
 protected:
  Object MustCreate(const Object& obj) {
    auto created = store_->Create(obj);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : Object();
  }
  StatusOr<OpResult> Delete(std::optional<int64_t> grace, const std::string& uid = "",
                            std::optional<int64_t> rv = std::nullopt) {
    DeleteOptions options;
    options.grace_period_seconds = grace;
    options.precondition_uid = uid;
    options.precondition_rv = rv;
    return store_->Delete(kPod, options);
  }
  std::string In(int seconds) { return FormatRfc3339(clock_.Now() + std::chrono::seconds(seconds)); }
};

TEST_F(GracefulDeleteTest, BoundPodIsMarkedWithTheGraceOfItsSpecAndWatchersSeeModified) {
  Object created = MustCreate(Pod("n1", 7));
  auto watcher = store_->Watch(WatchOptions{"Pod", std::nullopt, RvOf(created)});
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();

  auto deleted = Delete(std::nullopt);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->action, OpResult::Action::kUpdated);
  EXPECT_EQ(DeletionTimestamp(deleted->object), In(7));
  EXPECT_EQ(GraceOf(deleted->object), 7);
  EXPECT_EQ(deleted->object["metadata"]["generation"], 2);  // as kube-apiserver
  EXPECT_GT(RvOf(deleted->object), RvOf(created));

  auto stored = store_->Get(kPod);
  ASSERT_TRUE(stored.ok()) << "a bound pod stays until its node removes it";
  EXPECT_EQ(stored->object, deleted->object);

  auto event = (*watcher)->Next(std::chrono::seconds(5));
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->type, WatchEvent::Type::kModified);
  EXPECT_EQ(DeletionTimestamp((*event)->object), In(7));
}

TEST_F(GracefulDeleteTest, SpecWithoutGraceUsesThirtySecondsAndOptionsOverrideTheSpec) {
  MustCreate(Pod("n1"));
  auto defaulted = Delete(std::nullopt);
  ASSERT_TRUE(defaulted.ok()) << defaulted.status().ToString();
  EXPECT_EQ(GraceOf(defaulted->object), 30);

  ASSERT_TRUE(Delete(0).ok());
  MustCreate(Pod("n1", 30));
  auto asked = Delete(4);
  ASSERT_TRUE(asked.ok()) << asked.status().ToString();
  EXPECT_EQ(GraceOf(asked->object), 4);
  EXPECT_EQ(DeletionTimestamp(asked->object), In(4));
}

TEST_F(GracefulDeleteTest, GraceZeroUnboundAndFinishedPodsAreRemovedAtOnce) {
  MustCreate(Pod("n1", 30));
  auto forced = Delete(0);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ(forced->action, OpResult::Action::kDeleted);
  EXPECT_EQ(store_->Get(kPod).status().code(), StatusCode::kNotFound);

  MustCreate(Pod("", 30));
  auto unbound = Delete(std::nullopt);
  ASSERT_TRUE(unbound.ok()) << unbound.status().ToString();
  EXPECT_EQ(unbound->action, OpResult::Action::kDeleted);

  Object done = MustCreate(Pod("n1", 30));
  done["status"] = {{"phase", "Succeeded"}};
  ASSERT_TRUE(store_->UpdateStatus(done).ok());
  auto finished = Delete(std::nullopt);
  ASSERT_TRUE(finished.ok()) << finished.status().ToString();
  EXPECT_EQ(finished->action, OpResult::Action::kDeleted);

  // Every other kind as before: the plain Delete removes it.
  ASSERT_TRUE(store_->Create(Deployment("web", 1)).ok());
  ASSERT_TRUE(store_->Delete(ObjectKey{"Deployment", "default", "web"}).ok());
  EXPECT_EQ(store_->Get(ObjectKey{"Deployment", "default", "web"}).status().code(), StatusCode::kNotFound);
}

TEST_F(GracefulDeleteTest, ASecondDeleteMayShortenTheGraceButNeverLengthenIt) {
  MustCreate(Pod("n1", 20));
  auto first = Delete(std::nullopt);
  ASSERT_TRUE(first.ok());
  clock_.Advance(std::chrono::seconds(2));

  auto longer = Delete(60);
  ASSERT_TRUE(longer.ok()) << longer.status().ToString();
  EXPECT_EQ(longer->action, OpResult::Action::kUnchanged);
  EXPECT_EQ(longer->object, first->object);
  auto same = Delete(std::nullopt);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->action, OpResult::Action::kUnchanged);

  // 20 s from t0 shortened to 5 s: the deadline moves back by 15 s, to t0 + 5 s.
  auto shorter = Delete(5);
  ASSERT_TRUE(shorter.ok()) << shorter.status().ToString();
  EXPECT_EQ(shorter->action, OpResult::Action::kUpdated);
  EXPECT_EQ(GraceOf(shorter->object), 5);
  EXPECT_EQ(DeletionTimestamp(shorter->object), In(3));
  EXPECT_EQ(shorter->object["metadata"]["generation"], 2);  // bumped once, at the start

  // Shortened past what is left: never before now.
  clock_.Advance(std::chrono::seconds(4));
  auto past = Delete(1);
  ASSERT_TRUE(past.ok()) << past.status().ToString();
  EXPECT_EQ(DeletionTimestamp(past->object), In(0));

  auto now = Delete(0);
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(now->action, OpResult::Action::kDeleted);
  EXPECT_EQ(store_->Get(kPod).status().code(), StatusCode::kNotFound);
}

TEST_F(GracefulDeleteTest, PreconditionsOnUidAndResourceVersionHold) {
  Object created = MustCreate(Pod("n1", 10));
  std::string uid = created["metadata"]["uid"];

  auto wrong_uid = Delete(0, "another-uid");
  ASSERT_FALSE(wrong_uid.ok());
  EXPECT_EQ(wrong_uid.status().code(), StatusCode::kConflict);
  EXPECT_EQ(wrong_uid.status().message(),
            "Operation cannot be fulfilled on pods \"web\": Precondition failed: UID in precondition: another-uid, "
            "UID in object meta: " + uid);
  auto wrong_rv = Delete(std::nullopt, "", RvOf(created) - 1);
  ASSERT_FALSE(wrong_rv.ok());
  EXPECT_EQ(wrong_rv.status().code(), StatusCode::kConflict);
  EXPECT_TRUE(store_->Get(kPod).ok());
  EXPECT_EQ(DeletionTimestamp(store_->Get(kPod)->object), "");

  auto marked = Delete(std::nullopt, uid, RvOf(created));
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(marked->action, OpResult::Action::kUpdated);
  auto removed = Delete(0, uid);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(removed->action, OpResult::Action::kDeleted);
}

TEST_F(GracefulDeleteTest, ATerminatingPodsNameIsTakenUntilItIsGoneButItsStatusAndMetadataCanBeWritten) {
  MustCreate(Pod("n1", 10));
  ASSERT_TRUE(Delete(std::nullopt).ok());

  auto created = store_->Create(Pod("n1", 10));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(created.status().message(),
            "object is being deleted: pods \"web\" already exists (Terminating); it can be created again once it is "
            "gone");
  WriteOp apply;
  apply.type = WriteOp::Type::kApply;
  apply.object = Pod("n1", 10);
  auto applied = store_->Commit(Transaction{{apply}, std::nullopt});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().code(), StatusCode::kAlreadyExists);
  // Its spec cannot change; its metadata can (kubectl label/annotate of a Terminating pod), and
  // it stays Terminating.
  auto updated = store_->Update(Pod("n1", 20));
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.status().code(), StatusCode::kConflict);
  EXPECT_NE(updated.status().message().find("only its metadata can change"), std::string::npos);
  Object labeled = Pod("n1", 10);
  labeled["metadata"]["labels"] = {{"debug", "yes"}};
  auto relabeled = store_->Update(labeled);
  ASSERT_TRUE(relabeled.ok()) << relabeled.status().ToString();
  EXPECT_EQ((*relabeled)["metadata"]["labels"]["debug"], "yes");
  EXPECT_FALSE(DeletionTimestamp(*relabeled).empty());
  EXPECT_EQ((*relabeled)["metadata"]["deletionGracePeriodSeconds"], 10);

  auto stored = store_->Get(kPod);
  ASSERT_TRUE(stored.ok());
  Object with_status = stored->object;
  with_status["status"] = {{"phase", "Failed"}};
  auto status = store_->UpdateStatus(with_status);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(DeletionTimestamp(*status), DeletionTimestamp(stored->object));

  ASSERT_TRUE(Delete(0).ok());
  EXPECT_TRUE(store_->Create(Pod("n1", 10)).ok()) << "the name is free once the old pod is gone";
}

TEST_F(GracefulDeleteTest, ClientsCannotSetTheDeletionFields) {
  Object pod = Pod("n1", 10);
  pod["metadata"]["deletionTimestamp"] = "2001-01-01T00:00:00Z";
  pod["metadata"]["deletionGracePeriodSeconds"] = 0;
  auto created = store_->Create(pod);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(DeletionTimestamp(*created), "");
  Object again = *created;
  again["metadata"]["deletionTimestamp"] = "2001-01-01T00:00:00Z";
  again["metadata"]["labels"] = {{"a", "b"}};
  auto updated = store_->Update(again);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(DeletionTimestamp(*updated), "");
  EXPECT_TRUE(GraceOf(*updated).is_null());
}

}  // namespace
}  // namespace moor::store::testing
