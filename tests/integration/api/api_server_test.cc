// The real API server over HTTPS on loopback, a real SqliteStore, the real ApiClient.
#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "api_test_env.h"
#include "moor/manifests/kinds.h"
#include "moor/testing/process.h"

namespace moor::api {
namespace {

using testenv::ApiTestEnv;
using testenv::DeploymentJson;
using testenv::ServiceJson;

const manifests::KindInfo& Kind(const std::string& name) {
  const manifests::KindInfo* kind = manifests::FindKindByName(name);
  EXPECT_NE(kind, nullptr) << name;
  return *kind;
}

TEST(ApiServerTest, CreateGetListUpdateDelete) {
  ApiTestEnv env;
  auto& client = env.client();
  auto created = client.Create(DeploymentJson("web"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)["kind"], "Deployment");
  EXPECT_EQ((*created)["apiVersion"], "apps/v1");
  EXPECT_FALSE((*created)["metadata"].value("uid", "").empty());
  std::string rv = (*created)["metadata"].value("resourceVersion", "");
  EXPECT_FALSE(rv.empty());
  // Defaults were applied on the way in.
  EXPECT_EQ((*created)["spec"]["revisionHistoryLimit"], 10);

  auto got = client.Get(Kind("deploy"), "default", "web");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)["metadata"]["uid"], (*created)["metadata"]["uid"]);
  EXPECT_EQ((*got)["spec"]["replicas"], 3);

  auto list = client.List(Kind("deploy"), std::nullopt);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ((*list)["kind"], "DeploymentList");
  EXPECT_EQ((*list)["apiVersion"], "apps/v1");
  EXPECT_FALSE((*list)["metadata"].value("resourceVersion", "").empty());
  ASSERT_EQ((*list)["items"].size(), 1u);
  EXPECT_EQ((*list)["items"][0]["kind"], "Deployment");
  EXPECT_EQ((*list)["items"][0]["apiVersion"], "apps/v1");

  manifests::Object changed = *got;
  changed["spec"]["replicas"] = 5;
  auto updated = client.Update(changed);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ((*updated)["spec"]["replicas"], 5);
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], rv);

  // The old resourceVersion is now stale: Conflict, with kube-apiserver's message.
  changed["spec"]["replicas"] = 7;
  auto stale = client.Update(changed);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(stale.status().message(),
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply "
            "your changes to the latest version and try again");

  // Status is written apart from spec.
  manifests::Object with_status = *updated;
  with_status["status"] = {{"readyReplicas", 2}, {"replicas", 5}};
  auto status_written = client.UpdateStatus(with_status);
  ASSERT_TRUE(status_written.ok()) << status_written.status().ToString();
  EXPECT_EQ((*status_written)["status"]["readyReplicas"], 2);
  EXPECT_EQ((*status_written)["spec"]["replicas"], 5);

  auto deleted = client.Delete(Kind("deploy"), "default", "web");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ((*deleted)["metadata"]["name"], "web");
  auto gone = client.Get(Kind("deploy"), "default", "web");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(), "deployments.apps \"web\" not found");
  auto again = client.Delete(Kind("deploy"), "default", "web");
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
}

TEST(ApiServerTest, CreatedThroughTheApiHasNoSource) {
  ApiTestEnv env;
  ASSERT_TRUE(env.client().Create(ServiceJson("web")).ok());
  auto record = env.store().Get({"Service", "default", "web"});
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(record->source.empty());
  // Defaulting: protocol TCP.
  EXPECT_EQ(record->object["spec"]["ports"][0]["protocol"], "TCP");
}

TEST(ApiServerTest, RequestsWithoutTheTokenGet401) {
  ApiTestEnv env;
  auto wrong = env.ClientWithToken("not-the-token");
  auto v = wrong->Version();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(v.status().message(), "Unauthorized");
  auto none = env.ClientWithToken("");
  EXPECT_EQ(none->List(Kind("pods"), std::nullopt).status().code(), StatusCode::kUnauthenticated);

  std::string raw = env.Curl("GET", "/api/v1/pods", "", /*with_token=*/false);
  EXPECT_EQ(raw.substr(0, 4), "401\n") << raw;
  auto body = manifests::Object::parse(raw.substr(4));
  EXPECT_EQ(body["kind"], "Status");
  EXPECT_EQ(body["reason"], "Unauthorized");
  EXPECT_EQ(body["code"], 401);

  // Health endpoints need no token.
  auto health = wrong->RawGet("/healthz");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(*health, "ok");
  EXPECT_EQ(env.Curl("GET", "/readyz", "", false), "200\nok");
}

TEST(ApiServerTest, ErrorCodesAndMessages) {
  ApiTestEnv env;
  auto& client = env.client();
  ASSERT_TRUE(client.Create(DeploymentJson("web")).ok());
  auto dup = client.Create(DeploymentJson("web"));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "deployments.apps \"web\" already exists");

  std::string dup_raw = env.Curl("POST", "/apis/apps/v1/namespaces/default/deployments", DeploymentJson("web").dump());
  ASSERT_EQ(dup_raw.substr(0, 4), "409\n") << dup_raw;
  auto dup_body = manifests::Object::parse(dup_raw.substr(4));
  EXPECT_EQ(dup_body["reason"], "AlreadyExists");
  EXPECT_EQ(dup_body["details"]["name"], "web");
  EXPECT_EQ(dup_body["details"]["group"], "apps");
  EXPECT_EQ(dup_body["details"]["kind"], "deployments");

  // Invalid: a selector that does not match the template labels, and a bad name.
  manifests::Object bad = DeploymentJson("Bad_Name");
  bad["spec"]["selector"]["matchLabels"]["app"] = "other";
  auto invalid = client.Create(bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid.status().message().rfind("Deployment.apps \"Bad_Name\" is invalid: [", 0), 0u)
      << invalid.status().message();
  std::string invalid_raw = env.Curl("POST", "/apis/apps/v1/namespaces/default/deployments", bad.dump());
  ASSERT_EQ(invalid_raw.substr(0, 4), "422\n") << invalid_raw;
  auto invalid_body = manifests::Object::parse(invalid_raw.substr(4));
  EXPECT_EQ(invalid_body["reason"], "Invalid");
  EXPECT_EQ(invalid_body["details"]["kind"], "Deployment");
  ASSERT_GE(invalid_body["details"]["causes"].size(), 2u);
  bool saw_name = false;
  for (const auto& cause : invalid_body["details"]["causes"]) {
    EXPECT_EQ(cause["reason"], "FieldValueInvalid");
    saw_name = saw_name || cause.value("field", "") == "metadata.name";
  }
  EXPECT_TRUE(saw_name) << invalid_body.dump();

  // Namespace in the path and in the body disagree: 400.
  std::string mismatch =
      env.Curl("POST", "/apis/apps/v1/namespaces/other/deployments", DeploymentJson("web2", "default").dump());
  ASSERT_EQ(mismatch.substr(0, 4), "400\n") << mismatch;
  EXPECT_NE(mismatch.find("does not match the namespace sent on the request"), std::string::npos);

  // Created is 201; unknown resources are 404 Status objects.
  EXPECT_EQ(env.Curl("POST", "/api/v1/namespaces/default/services", ServiceJson("svc").dump()).substr(0, 4), "201\n");
  std::string unknown = env.Curl("GET", "/api/v1/namespaces/default/widgets");
  EXPECT_EQ(unknown.substr(0, 4), "404\n");
  EXPECT_EQ(manifests::Object::parse(unknown.substr(4))["kind"], "Status");
  // Whatever the method (kubectl auth can-i POSTs to a group moor does not serve).
  EXPECT_EQ(env.Curl("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "{}").substr(0, 4), "404\n");
  EXPECT_EQ(env.Curl("PUT", "/api/v1/namespaces/default/widgets/x", "{}").substr(0, 4), "404\n");
  std::string missing = env.Curl("GET", "/api/v1/namespaces/default/pods/nope");
  ASSERT_EQ(missing.substr(0, 4), "404\n");
  auto missing_body = manifests::Object::parse(missing.substr(4));
  EXPECT_EQ(missing_body["message"], "pods \"nope\" not found");
  EXPECT_EQ(missing_body["reason"], "NotFound");
  EXPECT_EQ(missing_body["details"]["kind"], "pods");
}

TEST(ApiServerTest, ListWithLabelAndFieldSelectors) {
  ApiTestEnv env;
  auto& client = env.client();
  ASSERT_TRUE(client.Create(DeploymentJson("web", "default", 1, "web")).ok());
  ASSERT_TRUE(client.Create(DeploymentJson("web2", "default", 1, "web")).ok());
  ASSERT_TRUE(client.Create(DeploymentJson("db", "default", 1, "db")).ok());
  ASSERT_TRUE(client.Create(DeploymentJson("web", "prod", 1, "web")).ok());

  auto names = [](const StatusOr<manifests::Object>& list) {
    std::vector<std::string> out;
    if (!list.ok()) return std::vector<std::string>{"error: " + list.status().ToString()};
    for (const auto& item : (*list)["items"]) {
      out.push_back(item["metadata"]["namespace"].get<std::string>() + "/" + item["metadata"]["name"].get<std::string>());
    }
    return out;
  };
  const auto& deploy = Kind("deployments");
  EXPECT_EQ(names(client.List(deploy, std::nullopt, "app=web")),
            (std::vector<std::string>{"default/web", "default/web2", "prod/web"}));
  EXPECT_EQ(names(client.List(deploy, std::string("default"), "app!=web")), (std::vector<std::string>{"default/db"}));
  EXPECT_EQ(names(client.List(deploy, std::string("default"), "app in (db,cache)")),
            (std::vector<std::string>{"default/db"}));
  EXPECT_EQ(names(client.List(deploy, std::nullopt, "", "metadata.name=web")),
            (std::vector<std::string>{"default/web", "prod/web"}));
  EXPECT_EQ(names(client.List(deploy, std::nullopt, "app=web", "metadata.namespace!=default")),
            (std::vector<std::string>{"prod/web"}));
  EXPECT_EQ(names(client.List(deploy, std::nullopt, "", "metadata.name==db,metadata.namespace==default")),
            (std::vector<std::string>{"default/db"}));
  auto bad_field = client.List(deploy, std::nullopt, "", "spec.replicas=1");
  EXPECT_EQ(bad_field.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_field.status().message(), "field label not supported: spec.replicas");
  EXPECT_EQ(client.List(deploy, std::nullopt, "app in (").status().code(), StatusCode::kInvalidArgument);
}

TEST(ApiServerTest, EventsFilterByInvolvedObject) {
  ApiTestEnv env;
  store::EventInput ev;
  ev.involved = {"Deployment", "default", "web"};
  ev.involved_api_version = "apps/v1";
  ev.type = "Warning";
  ev.reason = "SyncFailed";
  ev.message = "web.yaml:3:1: broken";
  ASSERT_TRUE(env.store().RecordEvent(ev).ok());
  ev.involved = {"Deployment", "default", "db"};
  ASSERT_TRUE(env.store().RecordEvent(ev).ok());
  const manifests::KindInfo* event_kind = manifests::FindKindByKind("Event");
  ASSERT_NE(event_kind, nullptr) << "Event is not a served kind";
  auto list = env.client().List(*event_kind, std::string("default"), "",
                                "involvedObject.kind=Deployment,involvedObject.name=web");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ((*list)["items"].size(), 1u);
  EXPECT_EQ((*list)["items"][0]["involvedObject"]["name"], "web");
  auto table = env.client().Table(*event_kind, std::string("default"), std::nullopt);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ((*table)["rows"].size(), 2u);
  EXPECT_EQ((*table)["columnDefinitions"][0]["name"], "Last Seen");
}

// Collects watch events on a thread of its own.
class WatchCollector {
 public:
  WatchCollector(ApiClient& client, const manifests::KindInfo& kind, std::string rv, size_t stop_after)
      : thread_([this, &client, &kind, rv, stop_after] {
          Status s = client.Watch(kind, std::string("default"), rv, [&](const ClientWatchEvent& ev) {
            std::lock_guard<std::mutex> lock(mu_);
            events_.push_back(ev.type + " " + manifests::NameOf(ev.object) + " " +
                              std::to_string(ev.object["spec"].value("replicas", 0)));
            return events_.size() < stop_after;
          });
          std::lock_guard<std::mutex> lock(mu_);
          result_ = s;
          done_ = true;
        }) {}
  ~WatchCollector() { thread_.join(); }
  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  bool done() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }
  Status result() {
    std::lock_guard<std::mutex> lock(mu_);
    return result_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> events_;
  Status result_;
  bool done_ = false;
  std::thread thread_;
};

TEST(ApiServerTest, WatchStreamsChangesInOrder) {
  ApiTestEnv env;
  auto& client = env.client();
  ASSERT_TRUE(client.Create(DeploymentJson("before", "default", 1)).ok());
  auto list = client.List(Kind("deploy"), std::string("default"));
  ASSERT_TRUE(list.ok());
  std::string rv = (*list)["metadata"]["resourceVersion"];
  {
    WatchCollector watch(client, Kind("deploy"), rv, 3);
    auto created = client.Create(DeploymentJson("web", "default", 1));
    ASSERT_TRUE(created.ok());
    manifests::Object changed = *created;
    changed["spec"]["replicas"] = 4;
    ASSERT_TRUE(client.Update(changed).ok());
    ASSERT_TRUE(client.Delete(Kind("deploy"), "default", "web").ok());
    ASSERT_TRUE(moor::testing::WaitFor([&] { return watch.done(); }, std::chrono::seconds(30)));
    EXPECT_TRUE(watch.result().ok()) << watch.result().ToString();
    EXPECT_EQ(watch.events(), (std::vector<std::string>{"ADDED web 1", "MODIFIED web 4", "DELETED web 4"}));
  }
  {
    // Without a resourceVersion: ADDED for what exists, then the changes.
    WatchCollector watch(client, Kind("deploy"), "", 2);
    ASSERT_TRUE(moor::testing::WaitFor([&] { return watch.events().size() == 1; }, std::chrono::seconds(30)));
    ASSERT_TRUE(client.Create(DeploymentJson("late", "default", 2)).ok());
    ASSERT_TRUE(moor::testing::WaitFor([&] { return watch.done(); }, std::chrono::seconds(30)));
    EXPECT_EQ(watch.events(), (std::vector<std::string>{"ADDED before 1", "ADDED late 2"}));
  }
}

TEST(ApiServerTest, WatchTimeoutEndsTheStream) {
  ApiTestEnv env;
  Status s = env.client().Watch(
      Kind("deploy"), std::string("default"), "0", [](const ClientWatchEvent&) { return true; },
      /*timeout_seconds=*/1);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(ApiServerTest, TooOldResourceVersionIsGone) {
  ApiTestEnv env(/*history_limit=*/3);
  auto& client = env.client();
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(client.Create(DeploymentJson("d" + std::to_string(i), "default", 1)).ok());
  Status s = client.Watch(Kind("deploy"), std::string("default"), "1", [](const ClientWatchEvent&) { return true; });
  EXPECT_EQ(s.code(), StatusCode::kGone) << s.ToString();
  EXPECT_NE(s.message().find("too old resource version"), std::string::npos) << s.message();
  std::string raw = env.Curl("GET", "/apis/apps/v1/namespaces/default/deployments?watch=1&resourceVersion=1");
  ASSERT_EQ(raw.substr(0, 4), "200\n") << raw;
  auto event = manifests::Object::parse(raw.substr(4));
  EXPECT_EQ(event["type"], "ERROR");
  EXPECT_EQ(event["object"]["code"], 410);
  EXPECT_EQ(event["object"]["reason"], "Expired");
}

TEST(ApiServerTest, StopEndsOpenWatches) {
  ApiTestEnv env;
  std::atomic<bool> ended{false};
  Status result;
  std::thread watcher([&] {
    result = env.client().Watch(Kind("deploy"), std::string("default"), "0", [](const ClientWatchEvent&) { return true; });
    ended = true;
  });
  // Wait until the stream is open (the gauge counts it), then stop the server.
  ASSERT_TRUE(moor::testing::WaitFor([&] {
    auto metrics = env.client().RawGet("/metrics");
    return metrics.ok() && metrics->find("moor_watch_streams 1") != std::string::npos;
  }));
  env.server().Stop();
  EXPECT_TRUE(moor::testing::WaitFor([&] { return ended.load(); }, std::chrono::seconds(30)));
  watcher.join();
  env.server().Stop();  // idempotent
}

TEST(ApiServerTest, Discovery) {
  ApiTestEnv env;
  auto& client = env.client();
  auto version = client.Version();
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ((*version)["major"], "1");
  EXPECT_NE((*version)["gitVersion"].get<std::string>().find("+moor"), std::string::npos);

  auto core = manifests::Object::parse(*client.RawGet("/api"));
  EXPECT_EQ(core["kind"], "APIVersions");
  EXPECT_EQ(core["versions"], manifests::Object({"v1"}));

  auto groups = manifests::Object::parse(*client.RawGet("/apis"));
  EXPECT_EQ(groups["kind"], "APIGroupList");
  bool saw_apps = false;
  for (const auto& g : groups["groups"]) {
    if (g["name"] == "apps") {
      saw_apps = true;
      EXPECT_EQ(g["preferredVersion"]["groupVersion"], "apps/v1");
    }
  }
  EXPECT_TRUE(saw_apps);

  auto apps = manifests::Object::parse(*client.RawGet("/apis/apps/v1"));
  EXPECT_EQ(apps["kind"], "APIResourceList");
  EXPECT_EQ(apps["groupVersion"], "apps/v1");
  bool saw_deployments = false;
  bool saw_status = false;
  for (const auto& r : apps["resources"]) {
    if (r["name"] == "deployments") {
      saw_deployments = true;
      EXPECT_EQ(r["kind"], "Deployment");
      EXPECT_EQ(r["singularName"], "deployment");
      EXPECT_EQ(r["namespaced"], true);
      EXPECT_EQ(r["shortNames"], manifests::Object({"deploy"}));
      EXPECT_NE(std::find(r["verbs"].begin(), r["verbs"].end(), "watch"), r["verbs"].end());
    }
    saw_status = saw_status || r["name"] == "deployments/status";
  }
  EXPECT_TRUE(saw_deployments);
  EXPECT_TRUE(saw_status);

  auto v1 = manifests::Object::parse(*client.RawGet("/api/v1"));
  bool namespaces_cluster_scoped = false;
  for (const auto& r : v1["resources"]) {
    if (r["name"] == "namespaces") namespaces_cluster_scoped = r["namespaced"] == false;
  }
  EXPECT_TRUE(namespaces_cluster_scoped);
}

TEST(ApiServerTest, TablesAsKubectlAsksForThem) {
  ApiTestEnv env;
  auto& client = env.client();
  auto created = client.Create(DeploymentJson("web", "default", 3));
  ASSERT_TRUE(created.ok());
  manifests::Object with_status = *created;
  with_status["status"] = {{"readyReplicas", 2}, {"updatedReplicas", 3}, {"availableReplicas", 2}};
  ASSERT_TRUE(client.UpdateStatus(with_status).ok());
  auto table = client.Table(Kind("deploy"), std::nullopt, std::nullopt);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)["kind"], "Table");
  ASSERT_EQ((*table)["rows"].size(), 1u);
  const auto& row = (*table)["rows"][0];
  EXPECT_EQ(row["cells"][0], "web");
  EXPECT_EQ(row["cells"][1], "2/3");
  EXPECT_EQ(row["cells"][2], 3);
  EXPECT_EQ(row["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(row["object"]["metadata"]["namespace"], "default");
  auto one = client.Table(Kind("deploy"), std::string("default"), std::string("web"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)["rows"].size(), 1u);
}

TEST(ApiServerTest, MetricsAndSourceStatus) {
  ApiTestEnv env;
  store::Transaction txn;
  store::SyncRecord record;
  record.source = "folder";
  record.path = "apps/web.yaml";
  record.revision = "abc123";
  record.time = WallTime(std::chrono::seconds(1800000000));
  record.result = "Failed";
  record.errors = {"apps/web.yaml:3:1: spec: expected a mapping"};
  txn.sync_record = record;
  ASSERT_TRUE(env.store().Commit(txn).ok());

  auto status = env.client().SourceStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_EQ((*status)["sources"].size(), 1u);
  const auto& source = (*status)["sources"][0];
  EXPECT_EQ(source["name"], "folder");
  EXPECT_EQ(source["type"], "folder");
  ASSERT_EQ(source["files"].size(), 1u);
  EXPECT_EQ(source["files"][0]["path"], "apps/web.yaml");
  EXPECT_EQ(source["files"][0]["result"], "Failed");
  EXPECT_EQ(source["files"][0]["time"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(source["files"][0]["errors"][0], "apps/web.yaml:3:1: spec: expected a mapping");

  ASSERT_TRUE(env.client().Get(Kind("deploy"), "default", "nope").status().code() == StatusCode::kNotFound);
  auto metrics = env.client().RawGet("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->find("moor_api_requests_total{code=\"404\",verb=\"get\"}"), std::string::npos) << *metrics;
  EXPECT_NE(metrics->find("moor_api_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics->find("moor_watch_streams"), std::string::npos);
}

TEST(ApiServerTest, ClientRejectsAServerItDoesNotTrust) {
  ApiTestEnv env;
  ApiTestEnv other;
  Kubeconfig wrong_ca = env.kubeconfig();
  wrong_ca.ca_pem = other.kubeconfig().ca_pem;
  auto client = ApiClient::Create(wrong_ca);
  ASSERT_TRUE(client.ok());
  auto v = (*client)->Version();
  EXPECT_EQ(v.status().code(), StatusCode::kUnavailable) << v.status().ToString();
}

}  // namespace
}  // namespace moor::api
