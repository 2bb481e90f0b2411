#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "moor/common/clock.h"
#include "moor/store/store.h"
#include "object_row.h"
#include "sqlite_connection.h"

namespace moor::store {

// The writes of one open SQLite transaction on the writer connection. The caller owns the
// transaction (BEGIN/COMMIT/ROLLBACK) and the writer lock; WriteTxn only issues the
// statements and hands out resourceVersions: every write that changes an object takes the
// next value and appends one row to the change feed. Errors are returned unprefixed, with
// kube-apiserver's messages; after an error the caller must roll back.
class WriteTxn {
 public:
  // The store's resourceVersion is read from the meta table inside this transaction when
  // the first write needs the next one, so a transaction that changes nothing reads no more
  // than the rows it compares.
  //
  // dry_run: the caller rolls the transaction back. Every write is made as usual (so every check
  // answers as for a real one), but results carry kube-apiserver's dry-run answer: nothing took
  // a resourceVersion, so a created object has none and a changed or removed one shows the one
  // it had.
  WriteTxn(SqliteConnection& conn, Clock& clock, bool dry_run = false)
      : conn_(conn), clock_(clock), dry_run_(dry_run) {}

  // Create / Update / Apply / Delete as WriteOp documents. For kUpdate the precondition is
  // op.precondition_rv, else metadata.resourceVersion of op.object; kApply uses only
  // op.precondition_rv (a manifest's resourceVersion is not a precondition).
  StatusOr<OpResult> Execute(const WriteOp& op);
  // Replaces only the status; precondition and uid rules as Update.
  StatusOr<OpResult> UpdateStatus(const Object& obj, std::optional<int64_t> precondition_rv);

  // The stored row for `key`, or nullopt.
  StatusOr<std::optional<StoredRow>> Load(const ObjectKey& key);

  // Inserts `record` and keeps only the newest `keep_per_path` records of its (source, path).
  Status InsertSyncRecord(const SyncRecord& record, int keep_per_path);

  // Names of the Events in `ns` to delete before one more is added: those whose
  // lastTimestamp is before `cutoff_rfc3339`, and beyond the newest `keep` by last write.
  StatusOr<std::vector<std::string>> EventsToDrop(const std::string& ns, const std::string& cutoff_rfc3339,
                                                  int64_t keep);

  // Deletes change-feed rows with rv <= `through`.
  Status TrimChanges(int64_t through);
  // Writes last_rv() to the meta table (call once, before COMMIT, if changed()).
  Status SaveResourceVersion();

  // The resourceVersion of the last write; meaningful only if changed().
  int64_t last_rv() const { return last_rv_.value_or(0); }
  bool changed() const { return changed_; }
  // Objects created minus objects deleted so far.
  int64_t objects_delta() const { return objects_delta_; }

 private:
  StatusOr<OpResult> Create(const Object& obj, const SourceRef& source);
  StatusOr<OpResult> Update(const Object& obj, std::optional<int64_t> precondition_rv,
                            const std::optional<SourceRef>& source);
  // op.key, with op's preconditions and grace period (graceful deletion: see WriteOp).
  StatusOr<OpResult> Delete(const WriteOp& op);
  // A delete of a Namespace (see WriteOp): refused for the immortal ones; removed if nothing
  // namespaced is left in it; else marked Terminating (once).
  StatusOr<OpResult> DeleteNamespace(StoredRow& row, Object body, const std::optional<Object>& status);
  // True if any object is stored in namespace `ns`.
  StatusOr<bool> NamespaceHasContent(const std::string& ns);
  // PermissionDenied if `key` is namespaced and its Namespace is being deleted.
  Status CheckNamespaceAcceptsCreate(const ObjectKey& key);
  // Removes the row and records the DELETED change.
  StatusOr<OpResult> Remove(const StoredRow& row, Object body, const std::optional<Object>& status);

  // Takes the next resourceVersion for `row`, writes it, and records a MODIFIED change of the
  // object assembled from `body` and `status`.
  StatusOr<OpResult> WriteModified(StoredRow& row, const ObjectKey& key, Object body,
                                   const std::optional<Object>& status);
  // In a dry run: `object` (a result) shows `prior_rv`, or no resourceVersion if 0 (created).
  void AnswerDryRun(Object& object, int64_t prior_rv) const;
  // Takes the next resourceVersion.
  StatusOr<int64_t> NextRv();
  Status WriteRow(const StoredRow& row);
  Status AppendChange(int type, const ObjectKey& key, const Object& object);
  // Precondition checks shared by Update and UpdateStatus.
  Status CheckPreconditions(const StoredRow& row, const Object& obj, std::optional<int64_t> precondition_rv);
  // The stored row `obj` (named `key`) updates: InvalidArgument without a name, NotFound if
  // absent, Conflict if a precondition fails.
  StatusOr<StoredRow> LoadForUpdate(const Object& obj, const ObjectKey& key, std::optional<int64_t> precondition_rv);

  SqliteConnection& conn_;
  Clock& clock_;
  const bool dry_run_;
  std::optional<int64_t> last_rv_;  // read on first use
  bool changed_ = false;
  int64_t objects_delta_ = 0;
};

}  // namespace moor::store
