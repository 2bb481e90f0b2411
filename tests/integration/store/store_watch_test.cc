// The change feed of SqliteStore: ordered and complete under concurrent writers, replay
// after a restart, Gone after trimming, and wake-ups on Stop() and store shutdown.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace moor::store::testing {
namespace {

class SqliteStoreWatch : public StoreTest {};

using namespace std::chrono_literals;

struct Seen {
  int64_t rv;
  WatchEvent::Type type;
  ObjectKey key;
  bool operator==(const Seen&) const = default;
};

// Reads events until `count` arrived or nothing came for 10 s.
std::vector<Seen> Drain(Watcher& watcher, size_t count) {
  std::vector<Seen> seen;
  while (seen.size() < count) {
    auto next = watcher.Next(10s);
    if (!next.ok() || !next->has_value()) break;
    const WatchEvent& e = **next;
    seen.push_back({e.resource_version, e.type, manifests::KeyOf(e.object)});
  }
  return seen;
}

TEST_F(SqliteStoreWatch, EventsCarryTypesObjectsAndFollowFilters) {
  auto all = store_->Watch({});
  auto deployments = store_->Watch({"Deployment", std::nullopt, 0});
  auto prod = store_->Watch({std::nullopt, "prod", 0});
  ASSERT_TRUE(all.ok() && deployments.ok() && prod.ok());

  auto created = store_->Create(Deployment("web", 1));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(store_->Update(Deployment("web", 2)).ok());
  ASSERT_TRUE(store_->Create(ConfigMap("cfg", "prod", {{"k", "v"}})).ok());
  auto deleted = store_->Delete({"Deployment", "default", "web"});
  ASSERT_TRUE(deleted.ok());

  std::vector<WatchEvent> events;
  for (int i = 0; i < 4; ++i) {
    auto next = (*all)->Next(10s);
    ASSERT_TRUE(next.ok() && next->has_value());
    events.push_back(std::move(**next));
  }
  EXPECT_EQ(events[0].type, WatchEvent::Type::kAdded);
  EXPECT_EQ(events[0].object, *created);
  EXPECT_EQ(events[1].type, WatchEvent::Type::kModified);
  EXPECT_EQ(events[1].object["spec"]["replicas"], 2);
  EXPECT_EQ(events[2].object["kind"], "ConfigMap");
  EXPECT_EQ(events[3].type, WatchEvent::Type::kDeleted);
  EXPECT_EQ(events[3].object, *deleted);
  EXPECT_EQ(events[3].resource_version, RvOf(*deleted));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(events[i].resource_version, RvOf(events[i].object));

  auto d = Drain(**deployments, 3);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[2].type, WatchEvent::Type::kDeleted);
  auto p = Drain(**prod, 1);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].key.name, "cfg");
  // Nothing more for any of them.
  for (auto* w : {&*all, &*deployments, &*prod}) {
    auto none = (**w).Next(50ms);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
  }
}

TEST_F(SqliteStoreWatch, ConcurrentWritersAndFilteredWatchersMissNothing) {
  constexpr int kWriters = 4;
  constexpr int kWritesPerWriter = 500;
  WatchOptions configmaps{"ConfigMap", std::nullopt, 0};
  WatchOptions team_a{std::nullopt, "team-a", 0};
  auto w1 = store_->Watch(configmaps);
  auto w2 = store_->Watch(team_a);
  // Reads only after all writers are done: catches up through many full batches.
  auto late = store_->Watch({"Deployment", std::nullopt, 0});
  ASSERT_TRUE(w1.ok() && w2.ok() && late.ok());

  std::mutex mu;
  std::vector<Seen> written;  // every change any writer made, with its rv
  std::atomic<size_t> expected1{SIZE_MAX}, expected2{SIZE_MAX};
  std::vector<Seen> got1, got2;
  auto watch = [](Watcher& w, std::atomic<size_t>& expected, std::vector<Seen>& got) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (got.size() < expected.load() && std::chrono::steady_clock::now() < deadline) {
      auto next = w.Next(100ms);
      if (!next.ok()) return;
      if (next->has_value()) got.push_back({(*next)->resource_version, (*next)->type, manifests::KeyOf((*next)->object)});
    }
  };
  std::thread watcher1([&] { watch(**w1, expected1, got1); });
  std::thread watcher2([&] { watch(**w2, expected2, got2); });

  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      // Writers 0 and 1 write ConfigMaps, 2 and 3 Deployments; even writers in team-a.
      const std::string ns = t % 2 == 0 ? "team-a" : "team-b";
      for (int i = 0; i < kWritesPerWriter; ++i) {
        const std::string name = "w" + std::to_string(t) + "-" + std::to_string(i / 3);
        Object obj = t < 2 ? ConfigMap(name, ns, {{"i", std::to_string(i)}}) : Deployment(name, i);
        obj["metadata"]["namespace"] = ns;
        StatusOr<Object> r = InternalError("unset");
        WatchEvent::Type type = WatchEvent::Type::kAdded;
        switch (i % 3) {
          case 0:
            r = store_->Create(obj);
            break;
          case 1:
            r = store_->Update(obj);
            type = WatchEvent::Type::kModified;
            break;
          default:
            r = store_->Delete(manifests::KeyOf(obj));
            type = WatchEvent::Type::kDeleted;
            break;
        }
        if (!r.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        written.push_back({RvOf(*r), type, manifests::KeyOf(obj)});
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_EQ(written.size(), static_cast<size_t>(kWriters * kWritesPerWriter));
  std::sort(written.begin(), written.end(), [](const Seen& a, const Seen& b) { return a.rv < b.rv; });
  std::vector<Seen> want1, want2, want_late;
  for (const Seen& s : written) {
    if (s.key.kind == "ConfigMap") want1.push_back(s);
    if (s.key.ns == "team-a") want2.push_back(s);
    if (s.key.kind == "Deployment") want_late.push_back(s);
  }
  expected1 = want1.size();
  expected2 = want2.size();
  watcher1.join();
  watcher2.join();
  // Every rv is distinct and dense: 2000 writes took 2000 consecutive resourceVersions.
  EXPECT_EQ(written.front().rv, 1);
  EXPECT_EQ(written.back().rv, kWriters * kWritesPerWriter);
  EXPECT_EQ(got1.size(), want1.size());
  EXPECT_TRUE(got1 == want1);
  EXPECT_EQ(got2.size(), want2.size());
  EXPECT_TRUE(got2 == want2);
  auto got_late = Drain(**late, want_late.size());
  EXPECT_EQ(got_late.size(), want_late.size());
  EXPECT_TRUE(got_late == want_late);
}

TEST_F(SqliteStoreWatch, ReplaysFromResourceVersionAfterRestart) {
  ASSERT_TRUE(store_->Create(Deployment("a", 1)).ok());
  ASSERT_TRUE(store_->Create(Deployment("b", 1)).ok());
  const int64_t from = store_->CurrentResourceVersion();
  ASSERT_TRUE(store_->Update(Deployment("a", 2)).ok());
  ASSERT_TRUE(store_->Delete({"Deployment", "default", "b"}).ok());

  Open();  // a restart: close the store and open the same file again
  ASSERT_TRUE(store_->Create(ConfigMap("c", "default", {{"k", "v"}})).ok());

  auto watcher = store_->Watch({std::nullopt, std::nullopt, from});
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();
  auto seen = Drain(**watcher, 3);
  std::vector<Seen> want = {{from + 1, WatchEvent::Type::kModified, {"Deployment", "default", "a"}},
                            {from + 2, WatchEvent::Type::kDeleted, {"Deployment", "default", "b"}},
                            {from + 3, WatchEvent::Type::kAdded, {"ConfigMap", "default", "c"}}};
  EXPECT_TRUE(seen == want);
  auto none = (*watcher)->Next(50ms);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // From 0: only what happens next.
  auto from_now = store_->Watch({});
  ASSERT_TRUE(from_now.ok());
  ASSERT_TRUE(store_->Create(Deployment("d", 1)).ok());
  auto next = Drain(**from_now, 1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].key.name, "d");
}

TEST_F(SqliteStoreWatch, TooOldResourceVersionIsGone) {
  Open(/*history_limit=*/5);
  auto lagging = store_->Watch({});
  ASSERT_TRUE(lagging.ok());
  ASSERT_TRUE(store_->Create(Deployment("web", 0)).ok());
  for (int i = 1; i <= 30; ++i) ASSERT_TRUE(store_->Update(Deployment("web", i)).ok());
  const int64_t current = store_->CurrentResourceVersion();
  ASSERT_EQ(current, 31);

  auto too_old = store_->Watch({std::nullopt, std::nullopt, 1});
  ASSERT_FALSE(too_old.ok());
  EXPECT_EQ(too_old.status().code(), StatusCode::kGone);
  auto lagged = (*lagging)->Next(1s);
  ASSERT_FALSE(lagged.ok());
  EXPECT_EQ(lagged.status().code(), StatusCode::kGone);

  // The newest history_limit changes are kept.
  auto recent = store_->Watch({std::nullopt, std::nullopt, current - 5});
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  auto seen = Drain(**recent, 5);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.front().rv, current - 4);
  EXPECT_EQ(seen.back().rv, current);

  // Trimming never makes the counter go back, also after a restart.
  Open(5);
  auto after = store_->Create(Deployment("new", 1));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(RvOf(*after), current + 1);
  EXPECT_EQ(store_->Watch({std::nullopt, std::nullopt, 2}).status().code(), StatusCode::kGone);
}

TEST_F(SqliteStoreWatch, StopWakesABlockedNext) {
  auto watcher = store_->Watch({});
  ASSERT_TRUE(watcher.ok());
  std::atomic<bool> entered{false};
  StatusOr<std::optional<WatchEvent>> result = InternalError("unset");
  std::thread t([&] {
    entered = true;
    result = (*watcher)->Next(std::chrono::minutes(10));  // only Stop() can end this in time
  });
  while (!entered.load()) std::this_thread::yield();
  std::this_thread::sleep_for(50ms);  // let it block (not required for correctness)
  (*watcher)->Stop();
  t.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ((*watcher)->Next(0ms).status().code(), StatusCode::kUnavailable);
}

TEST_F(SqliteStoreWatch, ClosingTheStoreFailsWatchers) {
  auto watcher = store_->Watch({});
  ASSERT_TRUE(watcher.ok());
  std::unique_ptr<Watcher> w = std::move(watcher).value();
  StatusOr<std::optional<WatchEvent>> result = InternalError("unset");
  std::thread t([&] { result = w->Next(std::chrono::minutes(10)); });
  std::this_thread::sleep_for(50ms);
  store_.reset();
  t.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(w->Next(0ms).status().code(), StatusCode::kUnavailable);
  w.reset();  // outliving the store is safe
}

}  // namespace
}  // namespace moor::store::testing
