#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "moor/store/sqlite_store.h"
#include "moor/store/store.h"
#include "read_pool.h"
#include "sqlite_connection.h"
#include "watch_hub.h"
#include "write_txn.h"

namespace moor::store {

// The SQLite Store (see store.h for the semantics and sqlite_store.h for the options).
//
// One writer connection, guarded by write_mu_, runs every write as one BEGIN IMMEDIATE ...
// COMMIT transaction; reads use pooled read-only connections that WAL lets run beside it.
// After each commit that changed something the new resourceVersion is published on the
// WatchHub, which wakes the watchers; they read the `changes` table themselves.
class SqliteStore final : public Store {
 public:
  static StatusOr<std::unique_ptr<Store>> Open(const SqliteStoreOptions& options);
  // Wakes every watcher; their later Next() calls return kUnavailable.
  ~SqliteStore() override;

  StatusOr<Record> Get(const ObjectKey& key) override;
  StatusOr<ListResult> List(const ListOptions& options) override;
  StatusOr<Object> Create(const Object& obj, const SourceRef& source) override;
  StatusOr<Object> Update(const Object& obj) override;
  StatusOr<Object> UpdateStatus(const Object& obj) override;
  StatusOr<Object> Delete(const ObjectKey& key, std::optional<int64_t> precondition_rv) override;
  using Store::Delete;
  StatusOr<OpResult> Execute(const WriteOp& op, bool dry_run) override;
  StatusOr<std::vector<OpResult>> Commit(const Transaction& txn) override;
  StatusOr<std::unique_ptr<Watcher>> Watch(const WatchOptions& options) override;
  int64_t CurrentResourceVersion() override;
  Status RecordEvent(const EventInput& event) override;
  StatusOr<std::vector<SyncRecord>> ListSyncRecords(const SyncQuery& query) override;

 private:
  using WriteFn = std::function<StatusOr<std::vector<OpResult>>(WriteTxn&)>;

  SqliteStore(const SqliteStoreOptions& options, std::unique_ptr<SqliteConnection> writer, int64_t trimmed_through,
              std::shared_ptr<ReadPool> pool, std::shared_ptr<WatchHub> hub);

  // Runs `fn` in one write transaction: commits if it succeeds, rolls back if it fails.
  // Trims the change feed and saves the resourceVersion in the same transaction.
  // `status_write` only labels the write metrics.
  // dry_run: run `fn`, then roll back (see Transaction::dry_run).
  StatusOr<std::vector<OpResult>> RunWrite(const WriteFn& fn, bool status_write = false, bool dry_run = false);
  // One op through RunWrite; errors carry no key prefix (kube-apiserver's messages).
  StatusOr<Object> RunSingle(const WriteFn& fn, bool status_write = false);
  // One WriteOp in its own transaction (Create, Update, Delete).
  StatusOr<Object> RunOp(const WriteOp& op);
  // One attempt of RunWrite, opening the transaction with `begin`. Needs write_mu_.
  StatusOr<std::vector<OpResult>> RunWriteOnce(const WriteFn& fn, std::string_view begin, bool dry_run);

  const SqliteStoreOptions options_;
  Clock& clock_;
  std::mutex write_mu_;
  std::unique_ptr<SqliteConnection> writer_;  // GUARDED_BY(write_mu_)
  int64_t trimmed_through_;                   // GUARDED_BY(write_mu_): changes <= this are gone
  std::shared_ptr<ReadPool> pool_;
  std::shared_ptr<WatchHub> hub_;
};

}  // namespace moor::store
