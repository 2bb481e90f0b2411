// SqliteStore on a real SQLite file: objects, errors, generation, unchanged writes,
// transactions, events and sync records.
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "moor/common/metrics.h"
#include "store_test_util.h"

namespace moor::store::testing {
namespace {

class SqliteStoreCrud : public StoreTest {};

const ObjectKey kWeb{"Deployment", "default", "web"};

TEST_F(SqliteStoreCrud, CreateFillsServerOwnedFieldsAndIgnoresStatus) {
  Object input = Deployment("web", 2);
  input["status"] = {{"replicas", 7}};
  input["metadata"]["uid"] = "client-uid";
  input["metadata"]["generation"] = 42;
  input["metadata"]["creationTimestamp"] = "2001-01-01T00:00:00Z";
  auto created = store_->Create(input);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const Object& meta = (*created)["metadata"];
  EXPECT_TRUE(std::regex_match(meta["uid"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << meta["uid"];
  EXPECT_EQ(meta["creationTimestamp"], FormatRfc3339(clock_.Now()));
  EXPECT_EQ(meta["generation"], 1);
  ASSERT_TRUE(meta["resourceVersion"].is_string());
  EXPECT_EQ(RvOf(*created), store_->CurrentResourceVersion());
  EXPECT_FALSE(created->contains("status"));

  auto got = store_->Get(kWeb);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->object, *created);
  EXPECT_TRUE(got->source.empty());
}

TEST_F(SqliteStoreCrud, CreateTwiceIsAlreadyExistsWithKubernetesMessage) {
  ASSERT_TRUE(store_->Create(Deployment("web", 1)).ok());
  auto again = store_->Create(Deployment("web", 1));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "deployments.apps \"web\" already exists");
}

TEST_F(SqliteStoreCrud, CreateWithoutNameIsInvalidAndGenerateNameFillsIt) {
  Object nameless = Deployment("x", 1);
  nameless["metadata"].erase("name");
  auto missing = store_->Create(nameless);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);

  nameless["metadata"]["generateName"] = "web-";
  auto generated = store_->Create(nameless);
  ASSERT_TRUE(generated.ok()) << generated.status().ToString();
  std::string name = (*generated)["metadata"]["name"];
  EXPECT_TRUE(std::regex_match(name, std::regex("web-[a-z0-9]{5}"))) << name;
  EXPECT_TRUE(store_->Get({"Deployment", "default", name}).ok());
  auto second = store_->Create(nameless);
  ASSERT_TRUE(second.ok());
  EXPECT_NE((*second)["metadata"]["name"], name);
}

TEST_F(SqliteStoreCrud, MissingObjectIsNotFoundWithKubernetesMessage) {
  auto got = store_->Get(kWeb);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(got.status().message(), "deployments.apps \"web\" not found");

  auto updated = store_->Update(Deployment("web", 1));
  EXPECT_EQ(updated.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(updated.status().message(), "deployments.apps \"web\" not found");
  EXPECT_EQ(store_->UpdateStatus(Deployment("web", 1)).status().code(), StatusCode::kNotFound);
  auto deleted = store_->Delete(kWeb);
  EXPECT_EQ(deleted.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(deleted.status().message(), "deployments.apps \"web\" not found");
  auto pod = store_->Get({"Pod", "default", "p"});
  EXPECT_EQ(pod.status().message(), "pods \"p\" not found");
}

TEST_F(SqliteStoreCrud, StaleResourceVersionIsConflict) {
  auto created = store_->Create(Deployment("web", 1));
  ASSERT_TRUE(created.ok());
  Object first = *created;
  first["spec"]["replicas"] = 2;
  auto updated = store_->Update(first);  // carries the current resourceVersion
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();

  first["spec"]["replicas"] = 3;  // still carries the old resourceVersion
  auto stale = store_->Update(first);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(stale.status().message(),
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply "
            "your changes to the latest version and try again");
  EXPECT_EQ(store_->UpdateStatus(first).status().code(), StatusCode::kConflict);
  EXPECT_EQ(store_->Delete(kWeb, RvOf(*created)).status().code(), StatusCode::kConflict);
  EXPECT_EQ(store_->Get(kWeb)->object["spec"]["replicas"], 2);

  Object bad = *updated;
  bad["metadata"]["resourceVersion"] = "not-a-number";
  EXPECT_EQ(store_->Update(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreCrud, DifferentUidIsConflict) {
  ASSERT_TRUE(store_->Create(Deployment("web", 1)).ok());
  Object other = Deployment("web", 2);
  other["metadata"]["uid"] = "00000000-0000-4000-8000-000000000000";
  auto updated = store_->Update(other);
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.status().code(), StatusCode::kConflict);
  EXPECT_NE(updated.status().message().find("UID in precondition"), std::string::npos);
}

TEST_F(SqliteStoreCrud, GenerationRisesOnSpecChangeOnly) {
  auto created = store_->Create(Deployment("web", 1));
  ASSERT_TRUE(created.ok());
  const std::string uid = (*created)["metadata"]["uid"];
  const std::string created_at = (*created)["metadata"]["creationTimestamp"];
  int64_t rv = RvOf(*created);
  clock_.Advance(std::chrono::minutes(5));

  Object spec_change = Deployment("web", 3);
  auto v2 = store_->Update(spec_change);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ((*v2)["metadata"]["generation"], 2);
  EXPECT_GT(RvOf(*v2), rv);
  rv = RvOf(*v2);

  Object label_change = spec_change;
  label_change["metadata"]["labels"]["tier"] = "front";
  label_change["metadata"]["annotations"] = {{"note", "x"}};
  auto v3 = store_->Update(label_change);
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ((*v3)["metadata"]["generation"], 2);
  EXPECT_GT(RvOf(*v3), rv);
  rv = RvOf(*v3);

  Object with_status = *v3;
  with_status["status"] = {{"readyReplicas", 3}};
  auto v4 = store_->UpdateStatus(with_status);
  ASSERT_TRUE(v4.ok()) << v4.status().ToString();
  EXPECT_EQ((*v4)["metadata"]["generation"], 2);
  EXPECT_EQ((*v4)["status"]["readyReplicas"], 3);
  EXPECT_GT(RvOf(*v4), rv);
  rv = RvOf(*v4);

  // Update ignores the input status and keeps the stored one.
  Object spec_again = label_change;
  spec_again["spec"]["replicas"] = 4;
  spec_again["status"] = {{"readyReplicas", 99}};
  auto v5 = store_->Update(spec_again);
  ASSERT_TRUE(v5.ok());
  EXPECT_EQ((*v5)["metadata"]["generation"], 3);
  EXPECT_EQ((*v5)["status"]["readyReplicas"], 3);

  auto got = store_->Get(kWeb);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->object, *v5);
  EXPECT_EQ(got->object["metadata"]["uid"], uid);
  EXPECT_EQ(got->object["metadata"]["creationTimestamp"], created_at);
}

TEST_F(SqliteStoreCrud, UnchangedWritesDoNotBumpResourceVersion) {
  auto created = store_->Create(Deployment("web", 1));
  ASSERT_TRUE(created.ok());
  const int64_t rv = store_->CurrentResourceVersion();

  auto same = store_->Update(Deployment("web", 1));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, *created);
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);

  WriteOp apply;
  apply.type = WriteOp::Type::kApply;
  apply.object = Deployment("web", 1);
  auto results = store_->Commit(Transaction{{apply}, std::nullopt});
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].action, OpResult::Action::kUnchanged);
  EXPECT_EQ((*results)[0].object, *created);
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);

  Object status = *created;
  status["status"] = {{"replicas", 1}};
  ASSERT_TRUE(store_->UpdateStatus(status).ok());
  const int64_t rv2 = store_->CurrentResourceVersion();
  EXPECT_GT(rv2, rv);
  auto same_status = store_->UpdateStatus(status);  // stale rv would conflict; drop it
  EXPECT_EQ(same_status.status().code(), StatusCode::kConflict);
  status["metadata"].erase("resourceVersion");
  same_status = store_->UpdateStatus(status);
  ASSERT_TRUE(same_status.ok());
  EXPECT_EQ(store_->CurrentResourceVersion(), rv2);
  EXPECT_EQ(RvOf(*same_status), rv2);
}

TEST_F(SqliteStoreCrud, ApplyCreatesUpdatesAndRecordsSource) {
  SourceRef file_a{"folder", "apps/a.yaml", 1, "h1"};
  SourceRef file_b{"folder", "apps/b.yaml", 2, "h2"};
  WriteOp apply;
  apply.type = WriteOp::Type::kApply;
  apply.object = Deployment("web", 1);
  apply.source = file_a;
  auto first = store_->Commit(Transaction{{apply}, std::nullopt});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)[0].action, OpResult::Action::kCreated);
  EXPECT_EQ(store_->Get(kWeb)->source, file_a);

  // Same content from another file: the object is unchanged, only its source moves.
  const int64_t rv = store_->CurrentResourceVersion();
  apply.source = file_b;
  auto moved = store_->Commit(Transaction{{apply}, std::nullopt});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ((*moved)[0].action, OpResult::Action::kUnchanged);
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);
  EXPECT_EQ(store_->Get(kWeb)->source, file_b);

  apply.object = Deployment("web", 5);
  apply.source.reset();  // keeps the stored source
  auto changed = store_->Commit(Transaction{{apply}, std::nullopt});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ((*changed)[0].action, OpResult::Action::kUpdated);
  EXPECT_EQ((*changed)[0].object["metadata"]["generation"], 2);
  EXPECT_EQ(store_->Get(kWeb)->source, file_b);
}

TEST_F(SqliteStoreCrud, DeleteReturnsLastStateWithNewResourceVersion) {
  auto created = store_->Create(Deployment("web", 1));
  ASSERT_TRUE(created.ok());
  auto deleted = store_->Delete(kWeb, RvOf(*created));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ((*deleted)["spec"]["replicas"], 1);
  EXPECT_EQ(RvOf(*deleted), store_->CurrentResourceVersion());
  EXPECT_GT(RvOf(*deleted), RvOf(*created));
  EXPECT_EQ(store_->Get(kWeb).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete(kWeb).status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreCrud, ListIsSortedFilteredAndCarriesResourceVersion) {
  ASSERT_TRUE(store_->Create(Deployment("b", 1, "prod")).ok());
  ASSERT_TRUE(store_->Create(Deployment("a", 1, "prod")).ok());
  ASSERT_TRUE(store_->Create(Deployment("z", 1, "dev"), SourceRef{"folder", "z.yaml", 1, "h"}).ok());
  ASSERT_TRUE(store_->Create(ConfigMap("a", "prod", {{"k", "v"}})).ok());

  auto all = store_->List({"Deployment", std::nullopt, std::nullopt});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 3u);
  EXPECT_EQ(NameOfItem(all->items[0]), "z");  // namespace "dev" sorts first
  EXPECT_EQ(NameOfItem(all->items[1]), "a");
  EXPECT_EQ(NameOfItem(all->items[2]), "b");
  EXPECT_EQ(all->resource_version, store_->CurrentResourceVersion());

  auto prod = store_->List({"Deployment", "prod", std::nullopt});
  ASSERT_TRUE(prod.ok());
  EXPECT_EQ(prod->items.size(), 2u);
  auto from_folder = store_->List({"Deployment", std::nullopt, "folder"});
  ASSERT_TRUE(from_folder.ok());
  ASSERT_EQ(from_folder->items.size(), 1u);
  EXPECT_EQ(from_folder->items[0].source.path, "z.yaml");
  auto from_api = store_->List({"Deployment", std::nullopt, ""});
  ASSERT_TRUE(from_api.ok());
  EXPECT_EQ(from_api->items.size(), 2u);
}

TEST_F(SqliteStoreCrud, CommitIsAllOrNothing) {
  auto existing = store_->Create(Deployment("web", 1));
  ASSERT_TRUE(existing.ok());
  Object stale_update = *existing;
  ASSERT_TRUE(store_->Update(Deployment("web", 2)).ok());
  const int64_t rv = store_->CurrentResourceVersion();

  Transaction txn;
  WriteOp op1;
  op1.type = WriteOp::Type::kCreate;
  op1.object = Deployment("one", 1);
  WriteOp op2;
  op2.type = WriteOp::Type::kApply;
  op2.object = ConfigMap("two", "default", {{"k", "v"}});
  WriteOp op3;
  op3.type = WriteOp::Type::kUpdate;
  op3.object = stale_update;
  op3.object["spec"]["replicas"] = 9;
  txn.ops = {op1, op2, op3};
  txn.sync_record = SyncRecord{0, "folder", "x.yaml", "rev1", clock_.Now(), "Applied", 0.1, {}, {}};

  auto result = store_->Commit(txn);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kConflict);
  EXPECT_EQ(result.status().message().rfind("Deployment/default/web: Operation cannot be fulfilled", 0), 0u)
      << result.status().message();
  EXPECT_EQ(store_->Get({"Deployment", "default", "one"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get({"ConfigMap", "default", "two"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get(kWeb)->object["spec"]["replicas"], 2);
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);
  auto records = store_->ListSyncRecords({});
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());

  // Without the bad op the same transaction applies fully, results in op order.
  txn.ops.pop_back();
  WriteOp op3b;
  op3b.type = WriteOp::Type::kDelete;
  op3b.key = kWeb;
  txn.ops.push_back(op3b);
  auto ok = store_->Commit(txn);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[0].action, OpResult::Action::kCreated);
  EXPECT_EQ((*ok)[0].key.name, "one");
  EXPECT_EQ((*ok)[1].action, OpResult::Action::kCreated);
  EXPECT_EQ((*ok)[1].key.kind, "ConfigMap");
  EXPECT_EQ((*ok)[2].action, OpResult::Action::kDeleted);
  EXPECT_EQ(store_->CurrentResourceVersion(), rv + 3);
  EXPECT_EQ(RvOf((*ok)[0].object), rv + 1);
  EXPECT_EQ(RvOf((*ok)[2].object), rv + 3);
  EXPECT_EQ(store_->ListSyncRecords({})->size(), 1u);
}

TEST_F(SqliteStoreCrud, DataAndResourceVersionSurviveReopen) {
  ASSERT_TRUE(store_->Create(Deployment("web", 1)).ok());
  ASSERT_TRUE(store_->Update(Deployment("web", 2)).ok());
  ASSERT_TRUE(store_->Create(Deployment("gone", 2)).ok());
  ASSERT_TRUE(store_->Delete({"Deployment", "default", "gone"}).ok());
  const int64_t rv = store_->CurrentResourceVersion();
  auto before = store_->Get(kWeb);
  ASSERT_TRUE(before.ok());

  Open();
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);
  auto after = store_->Get(kWeb);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->object, before->object);
  auto next = store_->Create(Deployment("gone", 1));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(RvOf(*next), rv + 1);
  EXPECT_EQ(QuerySql(options_.path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QuerySql(options_.path, "PRAGMA user_version"), "1");
}

TEST_F(SqliteStoreCrud, NewerSchemaIsRefused) {
  store_.reset();
  QuerySql(options_.path, "PRAGMA user_version = 99");
  auto opened = OpenSqliteStore(options_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SqliteStoreCrud, WritesAreCountedInMetrics) {
  ASSERT_TRUE(store_->Create(Deployment("web", 1)).ok());
  std::string text = MetricsRegistry::Default().Render();
  EXPECT_NE(text.find("moor_store_writes_total{op=\"create\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("moor_store_write_duration_seconds_count"), std::string::npos);
}

EventInput SyncFailed(const std::string& message) {
  EventInput e;
  e.involved = {"Deployment", "prod", "Web_App"};
  e.involved_api_version = "apps/v1";
  e.involved_uid = "u-1";
  e.field_path = "apps/web.yaml";
  e.type = "Warning";
  e.reason = "SyncFailed";
  e.message = message;
  return e;
}

TEST_F(SqliteStoreCrud, RepeatedEventBumpsCountAndLastTimestamp) {
  const std::string first_time = FormatRfc3339(clock_.Now());
  ASSERT_TRUE(store_->RecordEvent(SyncFailed("bad port")).ok());
  clock_.Advance(std::chrono::seconds(30));
  ASSERT_TRUE(store_->RecordEvent(SyncFailed("bad port")).ok());
  const std::string last_time = FormatRfc3339(clock_.Now());

  auto events = store_->List({"Event", "prod", std::nullopt});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->items.size(), 1u);
  const Object& e = events->items[0].object;
  EXPECT_EQ(e["apiVersion"], "v1");
  EXPECT_EQ(e["kind"], "Event");
  EXPECT_EQ(e["metadata"]["namespace"], "prod");
  EXPECT_TRUE(std::regex_match(e["metadata"]["name"].get<std::string>(), std::regex("web-app\\.[0-9a-f]{16}")))
      << e["metadata"]["name"];
  EXPECT_EQ(e["count"], 2);
  EXPECT_EQ(e["firstTimestamp"], first_time);
  EXPECT_EQ(e["lastTimestamp"], last_time);
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "SyncFailed");
  EXPECT_EQ(e["message"], "bad port");
  EXPECT_EQ(e["involvedObject"],
            (Object{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"namespace", "prod"}, {"name", "Web_App"},
                    {"uid", "u-1"}, {"fieldPath", "apps/web.yaml"}}));
  EXPECT_EQ(e["source"]["component"], "moor");
  EXPECT_EQ(e["reportingComponent"], "moor");

  ASSERT_TRUE(store_->RecordEvent(SyncFailed("another error")).ok());
  EXPECT_EQ(store_->List({"Event", "prod", std::nullopt})->items.size(), 2u);

  EventInput cluster_scoped;
  cluster_scoped.involved = {"Namespace", "", "prod"};
  cluster_scoped.reason = "Synced";
  cluster_scoped.message = "ok";
  ASSERT_TRUE(store_->RecordEvent(cluster_scoped).ok());
  auto in_default = store_->List({"Event", "default", std::nullopt});
  ASSERT_TRUE(in_default.ok());
  ASSERT_EQ(in_default->items.size(), 1u);
  EXPECT_FALSE(in_default->items[0].object["involvedObject"].contains("namespace"));
}

TEST_F(SqliteStoreCrud, EventsAreBoundedPerNamespaceAndByAge) {
  store_.reset();
  options_.events_per_namespace = 3;
  auto opened = OpenSqliteStore(options_);
  ASSERT_TRUE(opened.ok());
  store_ = std::move(opened).value();

  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->RecordEvent(SyncFailed("error " + std::to_string(i))).ok());
    clock_.Advance(std::chrono::seconds(1));
  }
  auto events = store_->List({"Event", "prod", std::nullopt});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->items.size(), 3u);
  std::set<std::string> messages;
  for (const Record& r : events->items) messages.insert(r.object["message"]);
  EXPECT_EQ(messages, (std::set<std::string>{"error 2", "error 3", "error 4"}));

  clock_.Advance(std::chrono::hours(2));
  ASSERT_TRUE(store_->RecordEvent(SyncFailed("fresh")).ok());
  events = store_->List({"Event", "prod", std::nullopt});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->items.size(), 1u);
  EXPECT_EQ(events->items[0].object["message"], "fresh");
}

TEST_F(SqliteStoreCrud, SyncRecordsLatestPerPathNewestFirst) {
  auto record = [&](const std::string& path, const std::string& revision, const std::string& result) {
    Transaction txn;
    SyncRecord r;
    r.source = "folder";
    r.path = path;
    r.revision = revision;
    r.time = clock_.Now();
    r.result = result;
    r.duration_seconds = 0.25;
    if (result == "Failed") r.errors = {path + ":3:1: spec: bad"};
    r.objects = {ObjectOutcome{{"Deployment", "default", "web"}, result == "Failed" ? "failed" : "created",
                               result == "Failed" ? "bad" : ""}};
    txn.sync_record = r;
    clock_.Advance(std::chrono::seconds(1));
    return store_->Commit(txn).ok();
  };
  ASSERT_TRUE(record("a.yaml", "r1", "Applied"));
  ASSERT_TRUE(record("b.yaml", "r1", "Applied"));
  ASSERT_TRUE(record("a.yaml", "r2", "Failed"));

  auto latest = store_->ListSyncRecords({});
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ((*latest)[0].path, "a.yaml");
  EXPECT_EQ((*latest)[0].revision, "r2");
  EXPECT_EQ((*latest)[0].result, "Failed");
  EXPECT_EQ((*latest)[0].errors, std::vector<std::string>{"a.yaml:3:1: spec: bad"});
  ASSERT_EQ((*latest)[0].objects.size(), 1u);
  EXPECT_EQ((*latest)[0].objects[0].key, (ObjectKey{"Deployment", "default", "web"}));
  EXPECT_EQ((*latest)[0].objects[0].action, "failed");
  EXPECT_EQ((*latest)[0].objects[0].message, "bad");
  EXPECT_EQ((*latest)[0].time, clock_.Now() - std::chrono::seconds(1));
  EXPECT_DOUBLE_EQ((*latest)[0].duration_seconds, 0.25);
  EXPECT_EQ((*latest)[1].path, "b.yaml");
  EXPECT_GT((*latest)[0].id, (*latest)[1].id);

  SyncQuery everything;
  everything.latest_per_path = false;
  auto all = store_->ListSyncRecords(everything);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].revision, "r1");

  SyncQuery only_a;
  only_a.path = "a.yaml";
  only_a.latest_per_path = false;
  EXPECT_EQ(store_->ListSyncRecords(only_a)->size(), 2u);
  SyncQuery other_source;
  other_source.source = "git:x";
  EXPECT_TRUE(store_->ListSyncRecords(other_source)->empty());
}

TEST_F(SqliteStoreCrud, ApplyKeepsTheNodeNameABinderSetButReplacesOtherSpec) {
  Object pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "default"}}},
                {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  ASSERT_TRUE(store_->Create(pod).ok());
  auto stored = store_->Get({"Pod", "default", "p"});
  ASSERT_TRUE(stored.ok());
  Object bound = stored->object;
  bound["spec"]["nodeName"] = "node-1";
  ASSERT_TRUE(store_->Update(bound).ok());

  Object reapplied = pod;
  reapplied["spec"]["containers"][0]["image"] = "nginx";
  WriteOp apply;
  apply.type = WriteOp::Type::kApply;
  apply.object = reapplied;
  Transaction txn;
  txn.ops.push_back(apply);
  ASSERT_TRUE(store_->Commit(txn).ok());
  auto after = store_->Get({"Pod", "default", "p"});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->object["spec"]["nodeName"], "node-1");
  EXPECT_EQ(after->object["spec"]["containers"][0]["image"], "nginx");

  // A manifest that names a node itself wins.
  reapplied["spec"]["nodeName"] = "node-2";
  apply.object = reapplied;
  Transaction explicit_node;
  explicit_node.ops.push_back(apply);
  ASSERT_TRUE(store_->Commit(explicit_node).ok());
  EXPECT_EQ(store_->Get({"Pod", "default", "p"})->object["spec"]["nodeName"], "node-2");
}

TEST_F(SqliteStoreCrud, ApplyKeepsAllocatedNodePortsOfTheSamePorts) {
  Object svc = Object::parse(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
      "spec": {"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}})");
  ASSERT_TRUE(store_->Create(svc).ok());
  Object allocated = store_->Get({"Service", "default", "s"})->object;
  allocated["spec"]["ports"][0]["nodePort"] = 30000;
  allocated["spec"]["ports"][1]["nodePort"] = 30001;
  ASSERT_TRUE(store_->Update(allocated).ok());

  WriteOp apply;
  apply.type = WriteOp::Type::kApply;
  apply.object = svc;
  Transaction same;
  same.ops.push_back(apply);
  auto result = store_->Commit(same);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->front().action, OpResult::Action::kUnchanged);
  EXPECT_EQ(store_->Get({"Service", "default", "s"})->object["spec"]["ports"][1]["nodePort"], 30001);

  // The second port changes: only the first keeps its node port.
  Object changed = svc;
  changed["spec"]["ports"][1]["port"] = 5353;
  apply.object = changed;
  Transaction other;
  other.ops.push_back(apply);
  ASSERT_TRUE(store_->Commit(other).ok());
  Object after = store_->Get({"Service", "default", "s"})->object;
  EXPECT_EQ(after["spec"]["ports"][0]["nodePort"], 30000);
  EXPECT_FALSE(after["spec"]["ports"][1].contains("nodePort"));
}

// A PUT (kubectl replace) without what the allocator filled in keeps it, as the Kubernetes API
// server does; a type change drops what the new type has no use for.
TEST_F(SqliteStoreCrud, UpdateKeepsAllocatedAddressesUnlessTheTypeHasNoUseForThem) {
  Object svc = Object::parse(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
      "spec": {"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP"}]}})");
  ASSERT_TRUE(store_->Create(svc).ok());
  Object allocated = store_->Get({"Service", "default", "s"})->object;
  allocated["spec"]["clusterIP"] = "10.43.0.20";
  allocated["spec"]["clusterIPs"] = {"10.43.0.20"};
  allocated["spec"]["ports"][0]["nodePort"] = 30000;
  ASSERT_TRUE(store_->Update(allocated).ok());

  Object put = svc;
  put["metadata"]["labels"] = {{"app", "web"}};
  auto replaced = store_->Update(put);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ((*replaced)["spec"]["clusterIP"], "10.43.0.20");
  EXPECT_EQ((*replaced)["spec"]["ports"][0]["nodePort"], 30000);
  EXPECT_EQ((*replaced)["metadata"]["labels"]["app"], "web");

  Object cluster_ip = svc;
  cluster_ip["spec"]["type"] = "ClusterIP";
  auto to_cluster_ip = store_->Update(cluster_ip);
  ASSERT_TRUE(to_cluster_ip.ok()) << to_cluster_ip.status().ToString();
  EXPECT_EQ((*to_cluster_ip)["spec"]["clusterIP"], "10.43.0.20");
  EXPECT_FALSE((*to_cluster_ip)["spec"]["ports"][0].contains("nodePort")) << "a ClusterIP Service has no node port";

  Object external = svc;
  external["spec"] = {{"type", "ExternalName"}, {"externalName", "db.example.org"}};
  auto to_external = store_->Update(external);
  ASSERT_TRUE(to_external.ok()) << to_external.status().ToString();
  EXPECT_FALSE((*to_external)["spec"].contains("clusterIP")) << (*to_external).dump();
  EXPECT_FALSE((*to_external)["spec"].contains("clusterIPs"));
}


TEST_F(SqliteStoreCrud, DryRunChecksAndAnswersButStoresNothing) {
  auto created = store_->Create(Deployment("web", 1));
  ASSERT_TRUE(created.ok());
  const int64_t rv = store_->CurrentResourceVersion();
  auto watcher = store_->Watch(WatchOptions{"Deployment", std::nullopt, rv});
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();

  WriteOp create;
  create.type = WriteOp::Type::kCreate;
  create.object = Deployment("api", 3);
  WriteOp update;
  update.type = WriteOp::Type::kUpdate;
  update.object = Deployment("web", 4);
  Transaction txn{{create, update}, std::nullopt};
  txn.dry_run = true;
  auto answered = store_->Commit(txn);
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  ASSERT_EQ(answered->size(), 2u);
  EXPECT_EQ((*answered)[0].action, OpResult::Action::kCreated);
  EXPECT_EQ((*answered)[0].object["spec"]["replicas"], 3);
  EXPECT_TRUE((*answered)[0].object["metadata"]["uid"].is_string());
  EXPECT_EQ((*answered)[1].action, OpResult::Action::kUpdated);
  EXPECT_EQ((*answered)[1].object["spec"]["replicas"], 4);
  EXPECT_EQ((*answered)[1].object["metadata"]["generation"], 2);

  // Nothing stored, nothing seen, the resourceVersion did not move.
  EXPECT_EQ(store_->Get(ObjectKey{"Deployment", "default", "api"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get(kWeb)->object, *created);
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);
  auto seen = (*watcher)->Next(std::chrono::milliseconds(200));
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE(seen->has_value());

  // The checks of a real write still answer: a create of an existing name fails.
  Transaction again{{create}, std::nullopt};
  again.dry_run = true;
  create.object = Deployment("web", 1);
  again.ops = {create};
  auto exists = store_->Commit(again);
  EXPECT_EQ(exists.status().code(), StatusCode::kAlreadyExists);

  // A dry-run delete answers the last state and leaves the object.
  Transaction remove{{DeleteOp(kWeb, DeleteOptions{})}, std::nullopt};
  remove.dry_run = true;
  auto removed = store_->Commit(remove);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ((*removed)[0].action, OpResult::Action::kDeleted);
  EXPECT_TRUE(store_->Get(kWeb).ok());

  // And a real write afterwards takes the next resourceVersion as if nothing had happened.
  auto real = store_->Update(Deployment("web", 2));
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(RvOf(*real), rv + 1);
}

}  // namespace
}  // namespace moor::store::testing
