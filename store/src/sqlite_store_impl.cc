#include "sqlite_store_impl.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "change_feed.h"
#include "event_object.h"
#include "moor/common/metrics.h"
#include "object_row.h"
#include "object_rules.h"
#include "schema.h"
#include "sqlite_watcher.h"
#include "sync_record_query.h"

namespace moor::store {
namespace {

// Idle read connections kept open for reuse.
constexpr size_t kMaxIdleReaders = 8;

Counter& WritesCounter(const char* op) {
  return MetricsRegistry::Default().GetCounter("moor_store_writes_total", "Objects written to the store, by operation.",
                                               {{"op", op}});
}

Histogram& WriteDuration() {
  static Histogram& histogram = MetricsRegistry::Default().GetHistogram(
      "moor_store_write_duration_seconds", "Duration of store write transactions (commit included).");
  return histogram;
}

Gauge& ObjectsGauge() {
  static Gauge& gauge = MetricsRegistry::Default().GetGauge("moor_store_objects", "Objects in the store.");
  return gauge;
}

void CountWrites(const std::vector<OpResult>& results, bool status_only) {
  static Counter& creates = WritesCounter("create");
  static Counter& updates = WritesCounter("update");
  static Counter& status_updates = WritesCounter("update_status");
  static Counter& deletes = WritesCounter("delete");
  for (const OpResult& r : results) {
    switch (r.action) {
      case OpResult::Action::kCreated:
        creates.Inc();
        break;
      case OpResult::Action::kUpdated:
        (status_only ? status_updates : updates).Inc();
        break;
      case OpResult::Action::kDeleted:
        deletes.Inc();
        break;
      case OpResult::Action::kUnchanged:
        break;
    }
  }
}

// Change-feed rows are trimmed in steps of this many, so that trimming costs one small
// DELETE every few writes instead of one per write. The feed keeps between history_limit
// and history_limit + step - 1 rows.
int64_t TrimStep(int64_t history_limit) { return std::clamp<int64_t>(history_limit / 10, 1, 1000); }

ObjectKey OpKey(const WriteOp& op) {
  if (op.type == WriteOp::Type::kDelete) return op.key;
  return manifests::KeyOf(op.object);
}

Status Internal(const std::exception& e) { return InternalError(std::string("store: unexpected exception: ") + e.what()); }

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  try {
    return SqliteStore::Open(options);
  } catch (const std::exception& e) {
    return Internal(e);
  }
}

StatusOr<std::unique_ptr<Store>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.path.empty()) return InvalidArgumentError("store: database path is empty");
  SqliteConnection::Options writer_options;
  writer_options.synchronous_full = options.synchronous_full;
  MOOR_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> writer, SqliteConnection::Open(options.path, writer_options));
  MOOR_RETURN_IF_ERROR(MigrateSchema(*writer));
  MOOR_ASSIGN_OR_RETURN(int64_t last_rv, SnapshotResourceVersion(*writer));
  MOOR_ASSIGN_OR_RETURN(int64_t oldest, writer->QueryInt("SELECT coalesce(min(rv), 0) FROM changes"));
  MOOR_ASSIGN_OR_RETURN(int64_t objects, writer->QueryInt("SELECT count(*) FROM objects"));
  ObjectsGauge().Set(static_cast<double>(objects));

  SqliteConnection::Options reader_options;
  reader_options.read_only = true;
  reader_options.synchronous_full = options.synchronous_full;
  auto pool = std::make_shared<ReadPool>(options.path, reader_options, kMaxIdleReaders);
  auto hub = std::make_shared<WatchHub>(last_rv);
  int64_t trimmed_through = oldest == 0 ? last_rv : oldest - 1;
  return std::unique_ptr<Store>(
      new SqliteStore(options, std::move(writer), trimmed_through, std::move(pool), std::move(hub)));
}

SqliteStore::SqliteStore(const SqliteStoreOptions& options, std::unique_ptr<SqliteConnection> writer,
                         int64_t trimmed_through, std::shared_ptr<ReadPool> pool, std::shared_ptr<WatchHub> hub)
    : options_(options),
      clock_(options.clock != nullptr ? *options.clock : SystemClock()),
      writer_(std::move(writer)),
      trimmed_through_(trimmed_through),
      pool_(std::move(pool)),
      hub_(std::move(hub)) {}

SqliteStore::~SqliteStore() { hub_->Close(); }

StatusOr<std::vector<OpResult>> SqliteStore::RunWrite(const WriteFn& fn, bool status_write, bool dry_run) {
  std::lock_guard<std::mutex> lock(write_mu_);
  const auto start = std::chrono::steady_clock::now();
  // First try as a deferred transaction: one that only compares (a resync of unchanged
  // objects) then never takes the write lock. Only this writer connection writes, under
  // write_mu_, so its snapshot is the newest when it upgrades to a write. Should another
  // process have written the file meanwhile, the upgrade fails with SQLITE_BUSY and the
  // write runs again under BEGIN IMMEDIATE, which waits for the lock (busy_timeout).
  StatusOr<std::vector<OpResult>> result = RunWriteOnce(fn, "BEGIN", dry_run);
  if (!result.ok() && result.status().code() == StatusCode::kUnavailable) {
    result = RunWriteOnce(fn, "BEGIN IMMEDIATE", dry_run);
  }
  if (!result.ok() || dry_run) return result;
  CountWrites(*result, status_write);
  WriteDuration().Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return result;
}

StatusOr<std::vector<OpResult>> SqliteStore::RunWriteOnce(const WriteFn& fn, std::string_view begin, bool dry_run) {
  MOOR_RETURN_IF_ERROR(writer_->Run(begin));
  int64_t last_rv = 0;
  int64_t objects_delta = 0;
  bool changed = false;
  int64_t trim_to = trimmed_through_;
  StatusOr<std::vector<OpResult>> result = InternalError("write did not run");
  try {
    result = [&]() -> StatusOr<std::vector<OpResult>> {
      WriteTxn txn(*writer_, clock_, dry_run);
      MOOR_ASSIGN_OR_RETURN(std::vector<OpResult> results, fn(txn));
      if (dry_run) {
        MOOR_RETURN_IF_ERROR(writer_->Run("ROLLBACK"));
        return results;
      }
      if (txn.changed()) {
        int64_t keep = std::max<int64_t>(options_.history_limit, 1);
        int64_t target = txn.last_rv() - keep;
        if (target >= trimmed_through_ + TrimStep(keep)) {
          MOOR_RETURN_IF_ERROR(txn.TrimChanges(target));
          trim_to = target;
        }
        MOOR_RETURN_IF_ERROR(txn.SaveResourceVersion());
      }
      MOOR_RETURN_IF_ERROR(writer_->Run("COMMIT"));
      last_rv = txn.last_rv();
      changed = txn.changed();
      objects_delta = txn.objects_delta();
      return results;
    }();
  } catch (const std::exception& e) {
    result = Internal(e);
  }
  if (!result.ok()) {
    if (writer_->InTransaction()) (void)writer_->Run("ROLLBACK");
    return result;
  }
  trimmed_through_ = trim_to;
  if (changed) hub_->Publish(last_rv);
  if (objects_delta != 0) ObjectsGauge().Add(static_cast<double>(objects_delta));
  return result;
}

StatusOr<Object> SqliteStore::RunSingle(const WriteFn& fn, bool status_write) {
  MOOR_ASSIGN_OR_RETURN(std::vector<OpResult> results, RunWrite(fn, status_write));
  if (results.empty()) return InternalError("store: write returned no result");
  return std::move(results.front().object);
}

StatusOr<Record> SqliteStore::Get(const ObjectKey& key) {
  try {
    MOOR_ASSIGN_OR_RETURN(ReadPool::Lease conn, pool_->Acquire());
    static const std::string kSql =
        std::string("SELECT ") + kObjectColumns + " FROM objects WHERE kind=?1 AND namespace=?2 AND name=?3";
    MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, conn->Prepare(kSql));
    StatementScope scope(*stmt);
    stmt->BindText(1, key.kind);
    stmt->BindText(2, key.ns);
    stmt->BindText(3, key.name);
    MOOR_ASSIGN_OR_RETURN(bool found, stmt->Step());
    if (!found) return NotFound(key);
    return RowToRecord(ReadStoredRow(*stmt));
  } catch (const std::exception& e) {
    return Internal(e);
  }
}

StatusOr<ListResult> SqliteStore::List(const ListOptions& options) {
  try {
    if (options.kind.empty()) return InvalidArgumentError("store: List needs a kind");
    MOOR_ASSIGN_OR_RETURN(std::unique_ptr<ReadSnapshot> snapshot, ReadSnapshot::Begin(*pool_));
    SqliteConnection& conn = snapshot->conn();
    ListResult result;
    MOOR_ASSIGN_OR_RETURN(result.resource_version, SnapshotResourceVersion(conn));
    static const std::string kSql = std::string("SELECT ") + kObjectColumns +
                                    " FROM objects WHERE kind=?1 AND (?2 IS NULL OR namespace=?2) AND "
                                    "(?3 IS NULL OR source=?3) ORDER BY namespace, name";
    MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, conn.Prepare(kSql));
    StatementScope scope(*stmt);
    stmt->BindText(1, options.kind);
    stmt->BindOptionalText(2, options.ns);
    stmt->BindOptionalText(3, options.source);
    while (true) {
      MOOR_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      MOOR_ASSIGN_OR_RETURN(Record record, RowToRecord(ReadStoredRow(*stmt)));
      result.items.push_back(std::move(record));
    }
    return result;
  } catch (const std::exception& e) {
    return Internal(e);
  }
}

StatusOr<Object> SqliteStore::RunOp(const WriteOp& op) {
  MOOR_ASSIGN_OR_RETURN(OpResult r, Execute(op, /*dry_run=*/false));
  return std::move(r.object);
}

StatusOr<Object> SqliteStore::Create(const Object& obj, const SourceRef& source) {
  WriteOp op;
  op.type = WriteOp::Type::kCreate;
  op.object = obj;
  op.source = source;
  return RunOp(op);
}

StatusOr<Object> SqliteStore::Update(const Object& obj) {
  WriteOp op;
  op.type = WriteOp::Type::kUpdate;
  op.object = obj;
  return RunOp(op);
}

StatusOr<Object> SqliteStore::UpdateStatus(const Object& obj) {
  return RunSingle(
      [&](WriteTxn& txn) -> StatusOr<std::vector<OpResult>> {
        MOOR_ASSIGN_OR_RETURN(std::optional<int64_t> precondition, ResourceVersionOf(obj));
        MOOR_ASSIGN_OR_RETURN(OpResult r, txn.UpdateStatus(obj, precondition));
        return std::vector<OpResult>{std::move(r)};
      },
      /*status_write=*/true);
}

StatusOr<Object> SqliteStore::Delete(const ObjectKey& key, std::optional<int64_t> precondition_rv) {
  DeleteOptions options;
  options.precondition_rv = precondition_rv;
  return RunOp(DeleteOp(key, options));
}

StatusOr<OpResult> SqliteStore::Execute(const WriteOp& op, bool dry_run) {
  MOOR_ASSIGN_OR_RETURN(std::vector<OpResult> results,
                        RunWrite(
                            [&](WriteTxn& txn) -> StatusOr<std::vector<OpResult>> {
                              MOOR_ASSIGN_OR_RETURN(OpResult r, txn.Execute(op));
                              return std::vector<OpResult>{std::move(r)};
                            },
                            /*status_write=*/false, dry_run));
  if (results.empty()) return InternalError("store: write returned no result");
  return std::move(results.front());
}

StatusOr<std::vector<OpResult>> SqliteStore::Commit(const Transaction& transaction) {
  return RunWrite([&](WriteTxn& txn) -> StatusOr<std::vector<OpResult>> {
    std::vector<OpResult> results;
    results.reserve(transaction.ops.size());
    for (const WriteOp& op : transaction.ops) {
      StatusOr<OpResult> r = txn.Execute(op);
      if (!r.ok()) return r.status().WithContext(OpKey(op).ToString());
      results.push_back(std::move(r).value());
    }
    if (transaction.sync_record) {
      MOOR_RETURN_IF_ERROR(txn.InsertSyncRecord(*transaction.sync_record, options_.sync_records_per_path));
    }
    return results;
  }, /*status_write=*/false, transaction.dry_run);
}

StatusOr<std::unique_ptr<Watcher>> SqliteStore::Watch(const WatchOptions& options) {
  try {
    int64_t after = options.from_rv;
    if (after <= 0) {
      after = hub_->current_rv();
    } else {
      MOOR_ASSIGN_OR_RETURN(std::unique_ptr<ReadSnapshot> snapshot, ReadSnapshot::Begin(*pool_));
      MOOR_RETURN_IF_ERROR(CheckRetained(snapshot->conn(), after));
    }
    return std::unique_ptr<Watcher>(new SqliteWatcher(pool_, hub_, options, after));
  } catch (const std::exception& e) {
    return Internal(e);
  }
}

int64_t SqliteStore::CurrentResourceVersion() { return hub_->current_rv(); }

Status SqliteStore::RecordEvent(const EventInput& event) {
  StatusOr<std::vector<OpResult>> result = RunWrite([&](WriteTxn& txn) -> StatusOr<std::vector<OpResult>> {
    const WallTime now = clock_.Now();
    const ObjectKey key{"Event", EventNamespace(event), EventName(event)};
    MOOR_ASSIGN_OR_RETURN(std::optional<StoredRow> existing, txn.Load(key));
    std::vector<OpResult> results;
    WriteOp op;
    if (existing) {
      MOOR_ASSIGN_OR_RETURN(Object stored, ParseStoredJson(existing->body, key.ToString()));
      op.type = WriteOp::Type::kUpdate;
      op.object = RepeatedEventObject(stored, now);
    } else {
      // Keep events bounded: see SqliteStoreOptions::event_ttl / events_per_namespace.
      std::string cutoff = FormatRfc3339(now - options_.event_ttl);
      MOOR_ASSIGN_OR_RETURN(std::vector<std::string> stale,
                            txn.EventsToDrop(key.ns, cutoff, std::max<int64_t>(options_.events_per_namespace - 1, 0)));
      for (const std::string& name : stale) {
        WriteOp drop;
        drop.type = WriteOp::Type::kDelete;
        drop.key = ObjectKey{"Event", key.ns, name};
        MOOR_ASSIGN_OR_RETURN(OpResult dropped, txn.Execute(drop));
        results.push_back(std::move(dropped));
      }
      op.type = WriteOp::Type::kCreate;
      op.object = NewEventObject(event, now);
    }
    MOOR_ASSIGN_OR_RETURN(OpResult r, txn.Execute(op));
    results.push_back(std::move(r));
    return results;
  });
  // An event in a namespace being deleted is refused (as kube-apiserver's NamespaceLifecycle),
  // and a refused event is dropped (as client-go's recorder does).
  if (!result.ok() && result.status().code() == StatusCode::kPermissionDenied) return Status::Ok();
  return result.ok() ? Status::Ok() : result.status();
}

StatusOr<std::vector<SyncRecord>> SqliteStore::ListSyncRecords(const SyncQuery& query) {
  try {
    MOOR_ASSIGN_OR_RETURN(ReadPool::Lease conn, pool_->Acquire());
    return QuerySyncRecords(*conn, query);
  } catch (const std::exception& e) {
    return Internal(e);
  }
}

}  // namespace moor::store
