// ServiceProxyController against FakeServiceProxy and a real SqliteStore in a temp directory
// (behind a tiny ClusterClient adapter, as cli/ wires the store in the server).
#include "moor/netproxy/service_proxy_controller.h"

#include <atomic>
#include <chrono>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "moor/store/sqlite_store.h"
#include "moor/store/store_cluster_client.h"
#include "moor/testing/fake_service_proxy.h"
#include "moor/testing/temp_dir.h"

namespace moor::netproxy {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using Tables = std::vector<ServiceTable>;

// Fails the first `failing_lists` List calls (kUnavailable) and answers the first
// `gone_watches` Watch calls of Endpoints with kGone; passes everything else through.
class FlakyClient final : public store::ClusterClient {
 public:
  explicit FlakyClient(store::ClusterClient& inner) : inner_(inner) {}
  std::atomic<int> failing_lists{0};
  std::atomic<int> gone_watches{0};
  std::atomic<int> lists{0};

  StatusOr<store::Object> Get(const store::ObjectKey& key) override { return inner_.Get(key); }
  StatusOr<store::ObjectList> List(const std::string& kind, const std::optional<std::string>& ns) override {
    lists++;
    if (failing_lists.fetch_sub(1) > 0) return UnavailableError("injected: store away");
    return inner_.List(kind, ns);
  }
  StatusOr<std::unique_ptr<store::Watcher>> Watch(const std::string& kind, std::int64_t from_rv) override {
    if (kind == "Endpoints" && gone_watches.fetch_sub(1) > 0) return GoneError("injected: too old resource version");
    return inner_.Watch(kind, from_rv);
  }
  StatusOr<store::Object> Create(const store::Object& obj) override { return inner_.Create(obj); }
  StatusOr<store::Object> Update(const store::Object& obj) override { return inner_.Update(obj); }
  StatusOr<store::Object> UpdateStatus(const store::Object& obj) override { return inner_.UpdateStatus(obj); }
  Status RecordEvent(const store::EventInput& e) override { return inner_.RecordEvent(e); }

 private:
  store::ClusterClient& inner_;
};

json Service(const std::string& name, const std::string& ip) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"namespace", "default"}, {"name", name}}},
          {"spec", {{"clusterIP", ip}, {"ports", json::array({{{"port", 80}, {"targetPort", 8080}}})}}}};
}

json Endpoints(const std::string& name, const std::vector<std::string>& ready, const std::vector<std::string>& not_ready = {}) {
  json subset = {{"ports", json::array({{{"port", 8080}, {"protocol", "TCP"}}})}};
  for (const auto& ip : ready) subset["addresses"].push_back({{"ip", ip}});
  for (const auto& ip : not_ready) subset["notReadyAddresses"].push_back({{"ip", ip}});
  return {{"apiVersion", "v1"},
          {"kind", "Endpoints"},
          {"metadata", {{"namespace", "default"}, {"name", name}}},
          {"subsets", json::array({subset})}};
}

// The backends of the last applied table, as "ip:port" per service name; nullopt before any.
std::optional<std::map<std::string, std::vector<std::string>>> Last(const Tables& tables) {
  if (tables.empty()) return std::nullopt;
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& p : tables.back().ports) {
    auto& list = out[p.name];
    for (const auto& b : p.backends) list.push_back(b.ip + ":" + std::to_string(b.port));
  }
  return out;
}

class ServiceProxyControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteStoreOptions o;
    o.path = dir_.path() / "state.db";
    auto s = store::OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    client_ = std::make_unique<store::StoreClusterClient>(*store_);
  }
  void TearDown() override {
    if (controller_) controller_->Stop();
  }

  void StartController(ServiceProxyControllerOptions o = {}, store::ClusterClient* cluster = nullptr) {
    o.cluster = cluster != nullptr ? cluster : client_.get();
    o.proxy = &proxy_;
    auto c = ServiceProxyController::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    controller_ = std::move(c).value();
  }

  void Apply(const json& obj) {
    store::Transaction txn;
    store::WriteOp op;
    op.type = store::WriteOp::Type::kApply;
    op.object = obj;
    txn.ops.push_back(op);
    auto r = store_->Commit(txn);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  bool LastIs(const std::map<std::string, std::vector<std::string>>& want) {
    return proxy_.WaitUntil([&](const Tables& t) { return Last(t) == want; });
  }

  moor::testing::TempDir dir_{"netproxy-controller"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::StoreClusterClient> client_;
  moor::testing::FakeServiceProxy proxy_;
  std::unique_ptr<ServiceProxyController> controller_;
};

TEST_F(ServiceProxyControllerTest, StartRejectsMissingParts) {
  ServiceProxyControllerOptions o;
  EXPECT_EQ(ServiceProxyController::Start(o).status().code(), StatusCode::kInvalidArgument);
  o.cluster = client_.get();
  EXPECT_EQ(ServiceProxyController::Start(o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ServiceProxyControllerTest, AppliesWhatTheStoreHoldsAtStart) {
  Apply(Service("web", "10.43.0.20"));
  Apply(Endpoints("web", {"10.42.0.3", "10.42.0.2"}, {"10.42.0.9"}));
  StartController();
  EXPECT_TRUE(LastIs({{"web", {"10.42.0.2:8080", "10.42.0.3:8080"}}}));
  EXPECT_EQ(proxy_.applied().front(), proxy_.applied().back()) << "the first table is already complete";
}

TEST_F(ServiceProxyControllerTest, FollowsServicesAndEndpoints) {
  StartController();
  EXPECT_TRUE(LastIs({})) << "an empty cluster is an empty table";
  Apply(Service("web", "10.43.0.20"));
  EXPECT_TRUE(LastIs({{"web", {}}}));
  Apply(Endpoints("web", {"10.42.0.2"}));
  EXPECT_TRUE(LastIs({{"web", {"10.42.0.2:8080"}}}));
  Apply(Endpoints("web", {}, {"10.42.0.2"}));  // the pod became unready
  EXPECT_TRUE(LastIs({{"web", {}}}));
  ASSERT_TRUE(store_->Delete({"Service", "default", "web"}).ok());
  EXPECT_TRUE(LastIs({}));
  EXPECT_EQ(proxy_.removes(), 0);
}

TEST_F(ServiceProxyControllerTest, AppliesOnlyWhenTheTableChanges) {
  ServiceProxyControllerOptions o;
  o.resync = std::chrono::hours(1);
  StartController(o);
  Apply(Service("web", "10.43.0.20"));
  Apply(Endpoints("web", {"10.42.0.2"}));
  ASSERT_TRUE(LastIs({{"web", {"10.42.0.2:8080"}}}));
  // Changes that do not change the table: a label, and an unready address.
  json labelled = Service("web", "10.43.0.20");
  labelled["metadata"]["labels"] = {{"team", "a"}};
  Apply(labelled);
  Apply(Endpoints("web", {"10.42.0.2"}, {"10.42.0.7"}));
  // A real change after them: once it is applied, the ones before have been seen.
  Apply(Endpoints("web", {"10.42.0.2", "10.42.0.3"}));
  ASSERT_TRUE(LastIs({{"web", {"10.42.0.2:8080", "10.42.0.3:8080"}}}));
  Tables applied = proxy_.applied();
  for (std::size_t i = 1; i < applied.size(); ++i) {
    EXPECT_NE(applied[i - 1], applied[i]) << "apply " << i << " repeated an unchanged table";
  }
}

TEST_F(ServiceProxyControllerTest, CoalescesBurstsOfChanges) {
  ServiceProxyControllerOptions o;
  o.min_sync_interval = milliseconds(200);
  o.resync = std::chrono::hours(1);
  StartController(o);
  ASSERT_TRUE(LastIs({}));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> ips;
  for (int i = 0; i < 30; ++i) {
    ips.push_back("10.42.0." + std::to_string(i + 2));
    Apply(Service("web", "10.43.0.20"));
    Apply(Endpoints("web", ips));
  }
  std::vector<std::string> want;
  for (const auto& ip : ips) want.push_back(ip + ":8080");
  // (ips are in numeric order already)
  ASSERT_TRUE(LastIs({{"web", want}}));
  auto elapsed = std::chrono::steady_clock::now() - start;
  // The rate limit: no more than one apply per interval (+1 at once after the quiet start).
  auto limit = 2 + elapsed / o.min_sync_interval;
  EXPECT_LE(static_cast<long>(proxy_.applied().size()) - 1, static_cast<long>(limit));
}

TEST_F(ServiceProxyControllerTest, RetriesAFailedApplyWithBackoff) {
  proxy_.FailNextApplies(3);
  Apply(Service("web", "10.43.0.20"));
  ServiceProxyControllerOptions o;
  o.initial_backoff = milliseconds(10);
  o.max_backoff = milliseconds(40);
  StartController(o);
  EXPECT_TRUE(LastIs({{"web", {}}}));
  EXPECT_EQ(proxy_.attempts(), 4);
  EXPECT_EQ(proxy_.applied().size(), 1u);
}

TEST_F(ServiceProxyControllerTest, ReappliesAnUnchangedTableOnTheResyncTimer) {
  Apply(Service("web", "10.43.0.20"));
  ServiceProxyControllerOptions o;
  o.resync = milliseconds(50);
  StartController(o);
  EXPECT_TRUE(proxy_.WaitUntil([](const Tables& t) { return t.size() >= 3; }))
      << "a flushed rule must come back without any change in the cluster";
  Tables applied = proxy_.applied();
  for (const auto& t : applied) EXPECT_EQ(t, applied.front());
}

TEST_F(ServiceProxyControllerTest, RetriesListsAndRelistsWhenAWatchIsTooOld) {
  Apply(Service("web", "10.43.0.20"));
  Apply(Endpoints("web", {"10.42.0.2"}));
  FlakyClient flaky(*client_);
  flaky.failing_lists = 1;
  flaky.gone_watches = 2;
  StartController({}, &flaky);
  EXPECT_TRUE(LastIs({{"web", {"10.42.0.2:8080"}}}));
  // After the relists the watch is live again: later changes arrive.
  Apply(Endpoints("web", {"10.42.0.2", "10.42.0.3"}));
  EXPECT_TRUE(LastIs({{"web", {"10.42.0.2:8080", "10.42.0.3:8080"}}}));
  EXPECT_GE(flaky.lists.load(), 4) << "one failed list, one per kind, and a relist per kGone";
  controller_->Stop();  // its watches may still be relisting through `flaky`, which goes now
}

TEST_F(ServiceProxyControllerTest, StopLeavesTheRulesInPlace) {
  StartController();
  ASSERT_TRUE(LastIs({}));
  controller_->Stop();
  controller_->Stop();  // idempotent
  int before = proxy_.attempts();
  Apply(Service("web", "10.43.0.20"));
  EXPECT_EQ(proxy_.removes(), 0);
  EXPECT_EQ(proxy_.attempts(), before);
}

}  // namespace
}  // namespace moor::netproxy
