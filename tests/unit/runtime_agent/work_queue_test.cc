#include "work_queue.h"

#include <pthread.h>
#include <time.h>

#include <atomic>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "moor/testing/process.h"

namespace moor::runtime {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Get() on another thread; the future is ready once it returned.
std::future<std::optional<std::string>> GetAsync(WorkQueue& queue) {
  return std::async(std::launch::async, [&queue] { return queue.Get(); });
}

bool Ready(const std::future<std::optional<std::string>>& f, milliseconds wait = milliseconds(0)) {
  return f.wait_for(wait) == std::future_status::ready;
}

TEST(WorkQueueTest, DuplicateKeysAreHeldOnce) {
  WorkQueue queue;
  queue.Add("a");
  queue.Add("b");
  queue.Add("a");
  queue.Add("a");
  EXPECT_EQ(queue.Pending(), 2u);
  EXPECT_EQ(queue.Get(), "a");
  EXPECT_EQ(queue.Get(), "b");
  EXPECT_EQ(queue.Pending(), 2u);  // both being processed
  queue.Done("a");
  queue.Done("b");
  EXPECT_EQ(queue.Pending(), 0u);
}

TEST(WorkQueueTest, AddWhileProcessingRequeuesAfterDone) {
  WorkQueue queue;
  queue.Add("a");
  ASSERT_EQ(queue.Get(), "a");
  queue.Add("a");  // while a worker has it
  queue.Add("a");
  queue.Add("b");
  // A second worker gets b, never a.
  EXPECT_EQ(queue.Get(), "b");
  auto third = GetAsync(queue);
  EXPECT_FALSE(Ready(third, milliseconds(100))) << "a was handed out while still being processed";
  queue.Done("a");  // now the pending add of a counts, once
  ASSERT_TRUE(Ready(third, seconds(10)));
  EXPECT_EQ(third.get(), "a");
  queue.Done("a");
  queue.Done("b");
  EXPECT_EQ(queue.Pending(), 0u);
}

TEST(WorkQueueTest, NoKeyIsHandedToTwoWorkers) {
  WorkQueue queue;
  constexpr int kKeys = 3;
  std::atomic<int> in_flight[kKeys] = {};
  std::atomic<int> overlaps{0};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.Get()) {
        int k = (*key)[0] - 'a';
        if (in_flight[k].fetch_add(1) != 0) overlaps.fetch_add(1);
        std::this_thread::yield();
        queue.Add(*key);  // a watch event during the sync
        in_flight[k].fetch_sub(1);
        processed.fetch_add(1);
        queue.Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) queue.Add(std::string(1, static_cast<char>('a' + i % kKeys)));
  EXPECT_TRUE(testing::WaitFor([&] { return processed.load() >= 500; }, seconds(30)));
  queue.ShutDown();
  for (auto& t : workers) t.join();
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(WorkQueueTest, AddAfterOrdersByDueTime) {
  WorkQueue queue;
  queue.AddAfter("late", milliseconds(300));
  queue.AddAfter("early", milliseconds(30));
  queue.AddAfter("now", milliseconds(0));  // no delay: at once
  EXPECT_EQ(queue.Pending(), 3u);
  EXPECT_EQ(queue.Get(), "now");
  EXPECT_EQ(queue.Get(), "early");
  EXPECT_EQ(queue.Get(), "late");
}

TEST(WorkQueueTest, EarliestAddAfterWins) {
  WorkQueue queue;
  queue.AddAfter("a", seconds(3600));
  queue.AddAfter("a", milliseconds(20));
  queue.AddAfter("a", seconds(7200));  // later: ignored
  EXPECT_EQ(queue.Pending(), 1u);
  auto got = GetAsync(queue);
  ASSERT_TRUE(Ready(got, seconds(10))) << "the earlier AddAfter did not win";
  EXPECT_EQ(got.get(), "a");
}

TEST(WorkQueueTest, AddReplacesADelay) {
  WorkQueue queue;
  queue.AddAfter("a", seconds(3600));
  queue.Add("a");
  EXPECT_EQ(queue.Get(), "a");
  queue.Done("a");
  EXPECT_EQ(queue.Pending(), 0u);  // the delayed copy is gone
  // A key already queued ignores AddAfter.
  queue.Add("b");
  queue.AddAfter("b", seconds(3600));
  EXPECT_EQ(queue.Pending(), 1u);
  EXPECT_EQ(queue.Get(), "b");
}

TEST(WorkQueueTest, DueKeyWaitsForDoneWithoutSpinning) {
  WorkQueue queue;
  queue.Add("a");
  ASSERT_EQ(queue.Get(), "a");
  queue.AddAfter("a", milliseconds(1));  // due at once, but a worker still has it
  std::this_thread::sleep_for(milliseconds(20));
  std::promise<clockid_t> clock;
  auto clock_ready = clock.get_future();
  auto got = std::async(std::launch::async, [&] {
    clockid_t id;
    pthread_getcpuclockid(pthread_self(), &id);
    clock.set_value(id);
    return queue.Get();
  });
  clockid_t waiter = clock_ready.get();
  auto cpu = [waiter] {
    timespec ts{};
    clock_gettime(waiter, &ts);
    return milliseconds(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
  };
  EXPECT_FALSE(Ready(got, milliseconds(50)));
  milliseconds before = cpu();
  EXPECT_FALSE(Ready(got, milliseconds(500))) << "a was handed out while still being processed";
  milliseconds used = cpu() - before;
  // A blocked waiter uses next to no CPU; a spinning one burns what the scheduler gives it.
  EXPECT_LT(used.count(), 100) << "Get() spins while the only due key is being processed";
  queue.Done("a");
  ASSERT_TRUE(Ready(got, seconds(10)));
  EXPECT_EQ(got.get(), "a");
}

TEST(WorkQueueTest, ShutDownUnblocksGet) {
  WorkQueue queue;
  auto idle = GetAsync(queue);
  queue.AddAfter("later", seconds(3600));
  auto delayed = GetAsync(queue);
  EXPECT_FALSE(Ready(idle, milliseconds(50)));
  queue.ShutDown();
  ASSERT_TRUE(Ready(idle, seconds(10)));
  ASSERT_TRUE(Ready(delayed, seconds(10)));
  EXPECT_EQ(idle.get(), std::nullopt);
  EXPECT_EQ(delayed.get(), std::nullopt);
  // After ShutDown: nothing is taken in, Get returns at once.
  queue.Add("x");
  EXPECT_EQ(queue.Get(), std::nullopt);
}

TEST(WorkQueueTest, ShutDownDropsPendingRequeue) {
  WorkQueue queue;
  queue.Add("a");
  ASSERT_EQ(queue.Get(), "a");
  queue.Add("a");
  queue.ShutDown();
  queue.Done("a");
  EXPECT_EQ(queue.Get(), std::nullopt);
}

}  // namespace
}  // namespace moor::runtime
