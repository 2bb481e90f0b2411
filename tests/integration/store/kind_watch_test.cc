// KindWatch over a real SqliteStore (through StoreClusterClient): the list then every later
// change exactly once, no write lost between a list at resourceVersion 0 and its watch, relists
// after kGone and failures, and no handler after Stop().
#include "moor/store/kind_watch.h"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "moor/store/store_cluster_client.h"
#include "moor/testing/process.h"
#include "store_test_util.h"

namespace moor::store::testing {
namespace {

using moor::testing::WaitFor;
using namespace std::chrono_literals;

// The store's client, with hooks that run after the n-th List (from 1) or instead of the n-th
// Watch (a non-OK status fails that Watch), so a test can write or fail at exact points.
class HookedClient final : public ClusterClient {
 public:
  explicit HookedClient(Store& store) : inner_(store) {}

  std::function<void(int n)> after_list = [](int) {};
  std::function<Status(int n)> before_watch = [](int) { return Status::Ok(); };
  std::function<Status(int n)> before_list = [](int) { return Status::Ok(); };
  std::atomic<int> lists{0};
  std::atomic<int> watches{0};

  StatusOr<ObjectList> List(const std::string& kind, const std::optional<std::string>& ns) override {
    int n = ++lists;
    MOOR_RETURN_IF_ERROR(before_list(n));
    StatusOr<ObjectList> list = inner_.List(kind, ns);
    after_list(n);
    return list;
  }
  StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& kind, std::int64_t from_rv) override {
    MOOR_RETURN_IF_ERROR(before_watch(++watches));
    return inner_.Watch(kind, from_rv);
  }
  StatusOr<Object> Get(const ObjectKey& key) override { return inner_.Get(key); }
  StatusOr<Object> Create(const Object& obj) override { return inner_.Create(obj); }
  StatusOr<Object> Update(const Object& obj) override { return inner_.Update(obj); }
  StatusOr<Object> UpdateStatus(const Object& obj) override { return inner_.UpdateStatus(obj); }
  Status RecordEvent(const EventInput& event) override { return inner_.RecordEvent(event); }

 private:
  StoreClusterClient inner_;
};

// What the handlers saw: the current view by name, how many lists, and every event's rv.
class Mirror {
 public:
  KindWatchHandlers Handlers() {
    return {[this](const std::vector<Object>& items) {
              std::lock_guard<std::mutex> lock(mu_);
              objects_.clear();
              for (const Object& obj : items) objects_[manifests::NameOf(obj)] = obj;
              ++lists_;
            },
            [this](const WatchEvent& event) {
              std::lock_guard<std::mutex> lock(mu_);
              if (!rvs_.empty() && event.resource_version <= rvs_.back()) out_of_order_ = true;
              rvs_.push_back(event.resource_version);
              ++events_by_name_[manifests::NameOf(event.object)];
              if (event.type == WatchEvent::Type::kDeleted) {
                objects_.erase(manifests::NameOf(event.object));
              } else {
                objects_[manifests::NameOf(event.object)] = event.object;
              }
            }};
  }
  std::set<std::string> Names() {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> names;
    for (const auto& [name, obj] : objects_) names.insert(name);
    return names;
  }
  std::string Value(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(name);
    return it == objects_.end() ? "" : it->second["data"]["k"].get<std::string>();
  }
  int lists() {
    std::lock_guard<std::mutex> lock(mu_);
    return lists_;
  }
  int events() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(rvs_.size());
  }
  int EventsFor(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return events_by_name_[name];
  }
  bool out_of_order() {
    std::lock_guard<std::mutex> lock(mu_);
    return out_of_order_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Object> objects_;
  std::map<std::string, int> events_by_name_;
  std::vector<int64_t> rvs_;
  int lists_ = 0;
  bool out_of_order_ = false;
};

// A KindWatch of ConfigMaps over `client_` (hooks set before StartWatch) into `mirror_`.
class KindWatchTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    client_ = std::make_unique<HookedClient>(*store_);
  }
  KindWatch& StartWatch() {
    watch_ = std::make_unique<KindWatch>(client_.get(), "ConfigMap", mirror_.Handlers());
    watch_->Start();
    return *watch_;
  }
  bool Sees(const std::string& name) { return mirror_.Names().count(name) == 1; }
  Object Cm(const std::string& name, const std::string& value) { return ConfigMap(name, "default", {{"k", value}}); }
  void Put(const std::string& name, const std::string& value) {
    auto existing = store_->Get({"ConfigMap", "default", name});
    auto written = existing.ok() ? store_->Update(Cm(name, value)) : store_->Create(Cm(name, value));
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }

  std::unique_ptr<HookedClient> client_;
  Mirror mirror_;
  std::unique_ptr<KindWatch> watch_;  // last: stopped before what its handlers use goes
};

TEST_F(KindWatchTest, ListsThenDeliversEveryLaterChangeOnceInOrder) {
  Put("a", "1");
  Put("b", "1");
  ASSERT_TRUE(store_->Create(Deployment("other-kind", 1)).ok());
  KindWatch& watch = StartWatch();
  ASSERT_TRUE(WaitFor([&] { return mirror_.lists() == 1; }));
  EXPECT_EQ(mirror_.Names(), (std::set<std::string>{"a", "b"}));

  Put("a", "2");
  Put("c", "1");
  ASSERT_TRUE(store_->Delete({"ConfigMap", "default", "b"}).ok());
  ASSERT_TRUE(store_->Update(Deployment("other-kind", 2)).ok());
  ASSERT_TRUE(WaitFor([&] { return mirror_.events() == 3; }));
  EXPECT_EQ(mirror_.Names(), (std::set<std::string>{"a", "c"}));
  EXPECT_EQ(mirror_.Value("a"), "2");
  EXPECT_FALSE(mirror_.out_of_order());
  watch.Stop();
  EXPECT_EQ(mirror_.lists(), 1);
  EXPECT_EQ(mirror_.events(), 3) << "the Deployment is not this watch's kind";
}

// Watch(from 0) means "from now on": a write just after the list of a never-written store
// must still reach the owner, once.
TEST_F(KindWatchTest, AWriteRightAfterTheListOfAnEmptyStoreIsNotMissed) {
  ASSERT_EQ(store_->CurrentResourceVersion(), 0);
  client_->after_list = [&](int n) {
    if (n == 1) Put("early", "1");
  };
  KindWatch& watch = StartWatch();
  ASSERT_TRUE(WaitFor([&] { return Sees("early"); }));
  Put("later", "1");
  ASSERT_TRUE(WaitFor([&] { return Sees("later"); }));
  watch.Stop();
  EXPECT_EQ(mirror_.lists(), 1);
  EXPECT_EQ(mirror_.EventsFor("early"), 0) << "listed and then delivered again";
  EXPECT_EQ(mirror_.EventsFor("later"), 1);
}

// The write lands after the rv-0 watch opened but before the second list: it is in that list,
// and the watch (which would deliver it again) is not used.
TEST_F(KindWatchTest, AWriteBetweenTheWatchAndTheSecondListIsSeenOnce) {
  client_->before_watch = [&](int n) {
    if (n == 1) Put("between", "1");
    return Status::Ok();
  };
  KindWatch& watch = StartWatch();
  ASSERT_TRUE(WaitFor([&] { return Sees("between"); }));
  Put("after", "1");
  ASSERT_TRUE(WaitFor([&] { return Sees("after"); }));
  watch.Stop();
  EXPECT_EQ(mirror_.EventsFor("between"), 0) << "it was in the list; a watch event repeats it";
  EXPECT_EQ(mirror_.EventsFor("after"), 1);
}

// An empty store that stays empty: the watch opened at 0 is kept and sees the first write.
TEST_F(KindWatchTest, TheFirstWriteToAnEmptyStoreArrivesAsAnEvent) {
  KindWatch& watch = StartWatch();
  ASSERT_TRUE(WaitFor([&] { return mirror_.lists() == 1; }));
  Put("first", "1");
  ASSERT_TRUE(WaitFor([&] { return mirror_.EventsFor("first") == 1; }));
  watch.Stop();
  EXPECT_EQ(mirror_.lists(), 1);
}

TEST_F(KindWatchTest, RelistsWhenTheWatchIsTooOldAndAfterAFailedList) {
  Put("a", "1");
  client_->before_list = [&](int n) { return n == 1 ? UnavailableError("injected: store away") : Status::Ok(); };
  client_->before_watch = [&](int n) {
    if (n != 1) return Status::Ok();
    Put("missed", "1");  // lands after the list the failing watch continues from
    return GoneError("injected: too old resource version");
  };
  KindWatch& watch = StartWatch();
  ASSERT_TRUE(WaitFor([&] { return Sees("missed"); }));
  Put("b", "1");
  ASSERT_TRUE(WaitFor([&] { return Sees("b"); }));
  watch.Stop();
  EXPECT_EQ(client_->lists.load(), 3) << "a failed list, a list, and a relist after kGone";
  EXPECT_EQ(mirror_.lists(), 2);
  EXPECT_EQ(mirror_.EventsFor("missed"), 0);
}

TEST_F(KindWatchTest, ListAndStartListsOnTheCallersThreadOrFails) {
  Put("a", "1");
  KindWatch watch(client_.get(), "ConfigMap", mirror_.Handlers());
  ASSERT_TRUE(watch.ListAndStart().ok());
  EXPECT_EQ(mirror_.Names(), (std::set<std::string>{"a"})) << "listed before ListAndStart returned";
  Put("b", "1");
  ASSERT_TRUE(WaitFor([&] { return mirror_.EventsFor("b") == 1; }));
  watch.Stop();
  EXPECT_EQ(client_->lists.load(), 1);

  HookedClient failing(*store_);
  failing.before_list = [](int) { return UnavailableError("injected: store away"); };
  Mirror unused;
  KindWatch broken(&failing, "ConfigMap", unused.Handlers());
  Status st = broken.ListAndStart();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_EQ(failing.lists.load(), 1) << "nothing started after the failed list";
  EXPECT_EQ(unused.lists(), 0);
}

TEST_F(KindWatchTest, NoHandlerRunsAfterStop) {
  KindWatch& watch = StartWatch();
  ASSERT_TRUE(WaitFor([&] { return mirror_.lists() == 1; }));
  watch.Stop();
  watch.Stop();  // idempotent
  auto raw = store_->Watch({"ConfigMap", std::nullopt, store_->CurrentResourceVersion()});
  ASSERT_TRUE(raw.ok());
  Put("after-stop", "1");
  auto next = (*raw)->Next(10s);  // the write is out in the change feed
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(mirror_.events(), 0);
  EXPECT_EQ(mirror_.lists(), 1);
}

}  // namespace
}  // namespace moor::store::testing
