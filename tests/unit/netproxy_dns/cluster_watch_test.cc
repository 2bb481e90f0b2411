#include "moor/netproxy/dns/cluster_watch.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>

#include "moor/testing/process.h"

namespace moor::netproxy::dns {
namespace {

using manifests::Object;
using moor::testing::WaitFor;

Object Service(const std::string& name, const std::string& ip) {
  return Object{{"apiVersion", "v1"}, {"kind", "Service"},
                {"metadata", {{"namespace", "default"}, {"name", name}}}, {"spec", {{"clusterIP", ip}}}};
}

// A cluster held in memory: List answers from `objects`, Watch hands out watchers that deliver
// what Push() queues, or kGone after Expire().
class FakeCluster final : public store::ClusterClient {
 public:
  class FakeWatcher final : public store::Watcher {
   public:
    FakeWatcher(FakeCluster* cluster, std::string kind) : cluster_(cluster), kind_(std::move(kind)) {}
    StatusOr<std::optional<store::WatchEvent>> Next(std::chrono::milliseconds timeout) override {
      std::unique_lock<std::mutex> lock(cluster_->mu_);
      cluster_->cv_.wait_for(lock, timeout, [&] { return stopped_ || cluster_->expired_[kind_] || !Queue().empty(); });
      if (stopped_) return UnavailableError("stopped");
      if (cluster_->expired_[kind_]) return GoneError("too old");
      if (Queue().empty()) return std::optional<store::WatchEvent>();
      store::WatchEvent ev = Queue().front();
      Queue().pop_front();
      return std::optional<store::WatchEvent>(ev);
    }
    void Stop() override {
      std::lock_guard<std::mutex> lock(cluster_->mu_);
      stopped_ = true;
      cluster_->cv_.notify_all();
    }

   private:
    std::deque<store::WatchEvent>& Queue() { return cluster_->events_[kind_]; }
    FakeCluster* cluster_;
    std::string kind_;
    bool stopped_ = false;
  };

  void Set(const std::string& kind, std::vector<Object> items) {
    std::lock_guard<std::mutex> lock(mu_);
    objects_[kind] = std::move(items);
  }
  void Push(const std::string& kind, store::WatchEvent::Type type, Object obj) {
    std::lock_guard<std::mutex> lock(mu_);
    store::WatchEvent ev;
    ev.type = type;
    ev.resource_version = ++rv_;
    ev.object = std::move(obj);
    events_[kind].push_back(ev);
    cv_.notify_all();
  }
  // Every open watcher of `kinds` fails with kGone until the next List of its kind.
  void Expire(const std::vector<std::string>& kinds) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& kind : kinds) expired_[kind] = true;
    events_.clear();
    cv_.notify_all();
  }
  int lists() {
    std::lock_guard<std::mutex> lock(mu_);
    return lists_;
  }

  StatusOr<store::ObjectList> List(const std::string& kind, const std::optional<std::string>&) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++lists_;
    expired_[kind] = false;
    store::ObjectList list;
    list.items = objects_[kind];
    list.resource_version = rv_;
    return list;
  }
  StatusOr<std::unique_ptr<store::Watcher>> Watch(const std::string& kind, std::int64_t) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (expired_[kind]) return GoneError("too old");
    return std::unique_ptr<store::Watcher>(new FakeWatcher(this, kind));
  }
  StatusOr<Object> Get(const manifests::ObjectKey&) override { return NotFoundError("unused"); }
  StatusOr<Object> Create(const Object&) override { return InternalError("unused"); }
  StatusOr<Object> Update(const Object&) override { return InternalError("unused"); }
  StatusOr<Object> UpdateStatus(const Object&) override { return InternalError("unused"); }
  Status RecordEvent(const store::EventInput&) override { return Status::Ok(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<Object>> objects_;
  std::map<std::string, std::deque<store::WatchEvent>> events_;
  std::int64_t rv_ = 10;
  std::map<std::string, bool> expired_;
  int lists_ = 0;
};

bool Has(ClusterWatch& watch, const std::string& name) { return watch.View()->Find("default", name) != nullptr; }

TEST(DnsClusterWatchTest, ListsThenFollowsChangesAndRelistsWhenTheWatchIsGone) {
  FakeCluster cluster;
  cluster.Set("Service", {Service("web", "10.43.0.20"), Service("api", "10.43.0.21")});
  auto watch = ClusterWatch::Start(&cluster);
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();
  ClusterWatch& w = **watch;
  EXPECT_EQ(w.View()->size(), 2u);
  EXPECT_TRUE(Has(w, "web"));
  EXPECT_TRUE(Has(w, "api"));

  cluster.Push("Service", store::WatchEvent::Type::kAdded, Service("late", "10.43.0.30"));
  EXPECT_TRUE(WaitFor([&] { return Has(w, "late"); }));
  cluster.Push("Service", store::WatchEvent::Type::kDeleted, Service("web", "10.43.0.20"));
  EXPECT_TRUE(WaitFor([&] { return !Has(w, "web"); }));
  cluster.Push("Endpoints", store::WatchEvent::Type::kAdded,
               Object{{"kind", "Endpoints"}, {"metadata", {{"namespace", "default"}, {"name", "api"}}},
                      {"subsets", {{{"addresses", {{{"ip", "10.42.0.7"}}}}}}}});
  EXPECT_TRUE(WaitFor([&] {
    const ServiceEntry* api = w.View()->Find("default", "api");
    return api != nullptr && api->subsets.size() == 1;
  }));

  // Changes the watch missed show up after the relist that kGone causes.
  int lists_before = cluster.lists();
  cluster.Set("Service", {Service("only", "10.43.0.40")});
  cluster.Expire({"Service", "Endpoints"});
  EXPECT_TRUE(WaitFor([&] { return Has(w, "only") && !Has(w, "late") && !Has(w, "api"); }));
  EXPECT_GT(cluster.lists(), lists_before);
  w.Stop();
  w.Stop();  // idempotent
}

TEST(DnsClusterWatchTest, StartFailsWithoutACluster) {
  auto watch = ClusterWatch::Start(nullptr);
  EXPECT_FALSE(watch.ok());
}

}  // namespace
}  // namespace moor::netproxy::dns
