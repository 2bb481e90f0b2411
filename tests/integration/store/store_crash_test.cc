// Crash safety: a child process writes to the store in a tight loop and is killed with
// SIGKILL at a random moment, several times; after each kill the store must open, pass
// SQLite's integrity check, show every multi-op transaction all-or-nothing, and keep its
// resourceVersion counter consistent and growing.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace moor::store::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kPairs = 16;
constexpr int kRounds = 8;

std::string PairName(int pair, char side) { return "pair-" + std::to_string(pair) + "-" + side; }

// The writer loop. Each iteration commits one transaction that writes both objects of a
// pair with the same counter (or deletes both) together with a sync record naming that
// counter, plus single-op writes (create, status update, delete) in between. Signals
// `ready_fd` after its first commit; runs until killed. Never returns.
[[noreturn]] void WriterChild(const std::filesystem::path& db, int ready_fd) {
  SqliteStoreOptions options;
  options.path = db;
  options.history_limit = 500;  // trimming happens during the loop too
  auto opened = OpenSqliteStore(options);
  if (!opened.ok()) _exit(2);
  std::unique_ptr<Store> store = std::move(opened).value();
  std::mt19937 rng(static_cast<unsigned>(getpid()));
  bool signalled = false;
  for (int64_t counter = store->CurrentResourceVersion() + 1;; ++counter) {
    const int pair = static_cast<int>(rng() % kPairs);
    Transaction txn;
    auto a = store->Get({"ConfigMap", "crash", PairName(pair, 'a')});
    const bool exists = a.ok();
    SyncRecord record;
    record.source = "crash";
    record.path = "pair-" + std::to_string(pair);
    record.result = "Applied";
    if (exists && rng() % 4 == 0) {
      for (char side : {'a', 'b'}) {
        WriteOp op;
        op.type = WriteOp::Type::kDelete;
        op.key = {"ConfigMap", "crash", PairName(pair, side)};
        txn.ops.push_back(op);
      }
      record.revision = "deleted";
    } else {
      for (char side : {'a', 'b'}) {
        WriteOp op;
        op.type = WriteOp::Type::kApply;
        op.object = ConfigMap(PairName(pair, side), "crash", {{"counter", std::to_string(counter)}});
        op.source = SourceRef{"crash", record.path, side == 'a' ? 1 : 2, std::to_string(counter)};
        txn.ops.push_back(op);
      }
      record.revision = std::to_string(counter);
    }
    txn.sync_record = record;
    if (!store->Commit(txn).ok()) _exit(3);

    // Single-op writes between the transactions.
    Object single = Deployment("single-" + std::to_string(counter % 8), static_cast<int>(counter % 5));
    single["metadata"]["namespace"] = "crash";
    WriteOp apply;
    apply.type = WriteOp::Type::kApply;
    apply.object = single;
    auto applied = store->Commit(Transaction{{apply}, std::nullopt});
    if (!applied.ok()) _exit(4);
    Object with_status = (*applied)[0].object;
    with_status["status"] = {{"observedGeneration", with_status["metadata"]["generation"]}, {"seen", counter}};
    if (!store->UpdateStatus(with_status).ok()) _exit(5);
    if (counter % 3 == 0 && !store->Delete(manifests::KeyOf(single)).ok()) _exit(6);

    if (!signalled) {
      char byte = 1;
      if (write(ready_fd, &byte, 1) != 1) _exit(7);
      signalled = true;
    }
  }
}

TEST(SqliteStoreCrash, KillNineLeavesAConsistentStore) {
  moor::testing::TempDir dir("store-crash");
  const std::filesystem::path db = dir / "state.db";
  std::mt19937 rng(std::random_device{}());
  int64_t previous_rv = 0;
  int64_t pairs_checked = 0;

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    // No store is open in this process across fork(): the child opens its own.
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      WriterChild(db, fds[1]);
    }
    close(fds[1]);
    pollfd ready{fds[0], POLLIN, 0};
    int polled = poll(&ready, 1, 30000);
    char byte = 0;
    const bool child_ready = polled == 1 && read(fds[0], &byte, 1) == 1;
    close(fds[0]);
    if (child_ready) std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 181));
    kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(child_ready) << "the writer child never committed (exit status " << wstatus << ")";
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "the writer child failed on its own, exit code " << (WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);

    EXPECT_EQ(QuerySql(db, "PRAGMA integrity_check"), "ok");
    SqliteStoreOptions options;
    options.path = db;
    options.history_limit = 500;
    auto opened = OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::unique_ptr<Store> store = std::move(opened).value();
    const int64_t rv = store->CurrentResourceVersion();
    EXPECT_GT(rv, previous_rv) << "the child wrote nothing new";
    // The counter and the change feed agree: the newest change took the current rv.
    EXPECT_EQ(QuerySql(db, "SELECT max(rv) FROM changes"), std::to_string(rv));

    auto configmaps = store->List({"ConfigMap", "crash", std::nullopt});
    ASSERT_TRUE(configmaps.ok()) << configmaps.status().ToString();
    auto deployments = store->List({"Deployment", "crash", std::nullopt});
    ASSERT_TRUE(deployments.ok());
    EXPECT_EQ(configmaps->resource_version, rv);
    for (const auto* list : {&*configmaps, &*deployments}) {
      for (const Record& r : list->items) EXPECT_LE(RvOf(r.object), rv) << NameOfItem(r);
    }
    std::map<std::string, std::string> counters;
    for (const Record& r : configmaps->items) counters[NameOfItem(r)] = r.object["data"]["counter"];
    auto records = store->ListSyncRecords({});
    ASSERT_TRUE(records.ok());
    std::map<std::string, std::string> latest_revision;
    for (const SyncRecord& s : *records) latest_revision[s.path] = s.revision;
    for (int pair = 0; pair < kPairs; ++pair) {
      const bool has_a = counters.count(PairName(pair, 'a')) > 0;
      const bool has_b = counters.count(PairName(pair, 'b')) > 0;
      EXPECT_EQ(has_a, has_b) << "pair " << pair << " is half written";
      const std::string path = "pair-" + std::to_string(pair);
      if (has_a && has_b) {
        EXPECT_EQ(counters[PairName(pair, 'a')], counters[PairName(pair, 'b')]) << "pair " << pair;
        EXPECT_EQ(latest_revision[path], counters[PairName(pair, 'a')]) << "sync record of pair " << pair;
        ++pairs_checked;
      } else if (latest_revision.count(path) > 0) {
        EXPECT_EQ(latest_revision[path], "deleted") << "pair " << pair;
      }
    }

    // The store takes new writes with a larger resourceVersion.
    auto probe = store->Create(ConfigMap("probe-" + std::to_string(round), "check", {{"k", "v"}}));
    ASSERT_TRUE(probe.ok()) << probe.status().ToString();
    EXPECT_EQ(RvOf(*probe), rv + 1);
    previous_rv = RvOf(*probe);
  }
  EXPECT_GT(pairs_checked, 0);
}

}  // namespace
}  // namespace moor::store::testing
