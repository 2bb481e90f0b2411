#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "moor/common/clock.h"
#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::store {

using manifests::Object;
using manifests::ObjectKey;

// Where an object came from. An object with an empty `source` was created through the API
// (`moor apply`, kubectl) and is never pruned by a manifest source.
struct SourceRef {
  std::string source;    // "folder" (the watched folder), later "git:<name>"; "" = API
  std::string path;      // file path relative to the source root, "apps/web.yaml"
  int document = 0;      // 1-based YAML document index in that file
  std::string hash;      // content hash of the document that produced the object
  bool empty() const { return source.empty(); }
  bool operator==(const SourceRef&) const = default;
};

// An object as stored: the Kubernetes object (metadata.uid, resourceVersion, generation,
// creationTimestamp filled in; status included) plus moor's bookkeeping.
struct Record {
  Object object;
  SourceRef source;
};

struct ListOptions {
  std::string kind;                 // required: "Deployment"
  std::optional<std::string> ns;    // nullopt: every namespace
  std::optional<std::string> source;  // only objects from this source ("" = API-created)
};

struct ListResult {
  std::vector<Record> items;        // sorted by namespace, then name
  int64_t resource_version = 0;     // the store's resourceVersion at the time of the list
};

// One write in a transaction.
//
// Graceful deletion (as kube-apiserver's Pod strategy): a kDelete of a Pod bound to a node
// (spec.nodeName set, status.phase neither Succeeded nor Failed) whose effective grace period
// is > 0 does not remove it. It sets metadata.deletionTimestamp (now + grace, RFC 3339 UTC) and
// metadata.deletionGracePeriodSeconds, bumps metadata.generation and takes a new
// resourceVersion (watchers see MODIFIED); the node agent then stops the pod and removes it
// for good with a grace of 0. The effective grace is grace_period_seconds if set (a negative
// value counts as 1), else spec.terminationGracePeriodSeconds (30 if unset). A delete of a
// pod already being deleted may only shorten the grace (the deletionTimestamp moves earlier,
// never before now); a grace of 0 removes it at once; any other delete leaves it unchanged.
// Every other kind, and unbound pods, are removed at once.
//
// Namespaces (as kube-apiserver's namespace storage, with the "kubernetes" finalizer kept
// implicit): a kDelete of "default", "kube-system" or "kube-public" fails with PermissionDenied
// (HTTP 403: `namespaces "default" is forbidden: this namespace may not be deleted`). A
// Namespace with nothing left in it (no object of any kind with that metadata.namespace) is
// removed at once. Otherwise it is marked: metadata.deletionTimestamp = now and status.phase
// "Terminating" (MODIFIED; the namespace controller then deletes what is in it and deletes the
// Namespace again once it is empty); a delete of a marked, non-empty Namespace is kUnchanged.
// While a Namespace is marked, every create in it (kCreate, kApply of a new object) fails with
// PermissionDenied (`configmaps "x" is forbidden: unable to create new content in namespace ns
// because it is being terminated`); updates, status writes and deletes of what is in it work.
// A create in a namespace with no Namespace object is not checked. New Namespaces get
// status.phase "Active".
//
// An object being deleted (metadata.deletionTimestamp set) cannot be created again until it
// is gone (kCreate and kApply: AlreadyExists "object is being deleted: ..."), and a kUpdate or
// kApply of it fails with Conflict; its status can still be written (UpdateStatus).
struct WriteOp {
  enum class Type {
    kCreate,  // AlreadyExists if present
    kUpdate,  // NotFound if absent; Conflict if precondition_rv is set and stale
    kApply,   // create, or update if present; unchanged content is not rewritten
    kDelete,  // NotFound if absent (callers that want idempotence treat it as success)
  };
  Type type = Type::kApply;
  Object object;                    // create/update/apply: the desired object (status ignored)
  ObjectKey key;                    // delete: what to delete
  std::optional<int64_t> precondition_rv;
  std::optional<SourceRef> source;  // create/update/apply: set the source; nullopt keeps it
  // delete: Conflict unless the stored metadata.uid is this ("" = no precondition).
  std::string precondition_uid;
  // delete: the grace period asked for (DeleteOptions.gracePeriodSeconds); nullopt = the
  // object's own. Only Pods use it (see above).
  std::optional<int64_t> grace_period_seconds;
};

// The parts of metav1.DeleteOptions moor serves.
struct DeleteOptions {
  std::optional<int64_t> precondition_rv;      // Conflict unless the stored resourceVersion is this
  std::string precondition_uid;                // Conflict unless the stored uid is this ("" = any)
  std::optional<int64_t> grace_period_seconds;  // nullopt: the object's own (see WriteOp)
};

// The kDelete op of `key` with `options`.
WriteOp DeleteOp(const ObjectKey& key, const DeleteOptions& options);

struct OpResult {
  // A delete answers kDeleted (removed), kUpdated (marked for graceful deletion, or its grace
  // shortened) or kUnchanged (a graceful deletion was already pending).
  enum class Action { kCreated, kUpdated, kUnchanged, kDeleted };
  Action action = Action::kUnchanged;
  ObjectKey key;
  Object object;  // as stored after the op (for kDeleted: the last stored state)
};

struct ObjectOutcome {
  ObjectKey key;
  std::string action;   // "created" | "updated" | "unchanged" | "pruned" | "failed"
  std::string message;  // for "failed"
};

// The result of syncing one file (or, later, one Git revision) from a source.
struct SyncRecord {
  int64_t id = 0;                // assigned by the store
  std::string source;            // "folder"
  std::string path;              // file relative to the source root
  std::string revision;          // content hash of the file (a commit id for Git)
  WallTime time;
  std::string result;            // "Applied" | "Failed" | "Removed"
  double duration_seconds = 0;
  std::vector<std::string> errors;  // Diagnostic::ToString() lines, warnings included
  std::vector<ObjectOutcome> objects;
};

struct SyncQuery {
  std::optional<std::string> source;
  std::optional<std::string> path;
  bool latest_per_path = true;   // only the newest record for each (source, path)
  int limit = 1000;
};

// All-or-nothing: every op applies and the optional sync record is written, or nothing is.
struct Transaction {
  std::vector<WriteOp> ops;
  std::optional<SyncRecord> sync_record;
  // kube-apiserver's dryRun=All: every op runs with all its checks and the results are
  // returned as they would be stored, except that nothing takes a resourceVersion (a created
  // object has none, a changed or removed one shows the one it had); then the transaction is
  // rolled back. Nothing is stored, no watcher sees anything, the store's resourceVersion does
  // not move.
  bool dry_run = false;
};

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  int64_t resource_version = 0;
  Object object;  // for kDeleted: the last state, with the deleting resourceVersion
};

struct WatchOptions {
  std::optional<std::string> kind;  // nullopt: every kind
  std::optional<std::string> ns;    // nullopt: every namespace
  // Deliver every change with resourceVersion > from_rv. 0 means "from now on". A from_rv
  // older than the retained history makes Watch() fail with kGone (the client relists).
  int64_t from_rv = 0;
};

// A stream of changes in resourceVersion order, none missed, none repeated.
class Watcher {
 public:
  virtual ~Watcher() = default;
  // Waits up to `timeout` for the next event. Returns nullopt on timeout. kGone if the
  // watcher fell behind the retained history; kUnavailable after Stop() or store shutdown.
  virtual StatusOr<std::optional<WatchEvent>> Next(std::chrono::milliseconds timeout) = 0;
  // Wakes a blocked Next(); later calls return kUnavailable. Thread-safe.
  virtual void Stop() = 0;
};

struct EventInput {
  ObjectKey involved;            // the object the event is about
  std::string involved_api_version;
  std::string involved_uid;      // optional
  std::string field_path;        // optional (e.g. a file path for source events)
  std::string type = "Normal";   // "Normal" | "Warning"
  std::string reason;            // "Synced", "SyncFailed", "Pruned", ...
  std::string message;
  std::string component = "moor";
};

// The single source of truth. Every component reads and writes objects through it.
// Thread-safe: any method may be called from any thread.
//
// Semantics (as kube-apiserver):
// - resourceVersion is one global, monotonically increasing counter; every write that
//   changes an object (spec or status) takes the next value.
// - metadata.generation starts at 1 and rises when anything but metadata and status
//   changes; status writes never bump it. metadata.labels/annotations changes do not either.
// - Create/Update/Apply ignore the `status` of the input and keep the stored one;
//   UpdateStatus changes only `status`.
// - uid and creationTimestamp are set on create and never change.
class Store {
 public:
  virtual ~Store() = default;

  virtual StatusOr<Record> Get(const ObjectKey& key) = 0;
  virtual StatusOr<ListResult> List(const ListOptions& options) = 0;

  // Single-op conveniences over Commit().
  virtual StatusOr<Object> Create(const Object& obj, const SourceRef& source = {}) = 0;
  // Uses metadata.resourceVersion of `obj`, if set, as the precondition.
  virtual StatusOr<Object> Update(const Object& obj) = 0;
  // Uses metadata.resourceVersion of `obj`, if set, as the precondition.
  virtual StatusOr<Object> UpdateStatus(const Object& obj) = 0;
  // A delete with default options: a bound Pod is deleted gracefully (see WriteOp). Returns
  // the object as stored after the delete (marked, or its last state if removed).
  virtual StatusOr<Object> Delete(const ObjectKey& key, std::optional<int64_t> precondition_rv = std::nullopt) = 0;
  // A delete with DeleteOptions (preconditions, grace period); the result says whether the
  // object was removed or marked for deletion: Execute(DeleteOp(key, options)).
  StatusOr<OpResult> Delete(const ObjectKey& key, const DeleteOptions& options);
  // One op, with kube-apiserver's error messages (no key prefix, unlike Commit's); dry_run
  // as Transaction::dry_run.
  virtual StatusOr<OpResult> Execute(const WriteOp& op, bool dry_run = false) = 0;

  virtual StatusOr<std::vector<OpResult>> Commit(const Transaction& txn) = 0;

  virtual StatusOr<std::unique_ptr<Watcher>> Watch(const WatchOptions& options) = 0;
  virtual int64_t CurrentResourceVersion() = 0;

  // Records a Kubernetes v1 Event object about `involved` (namespace: the involved object's,
  // or "default" for cluster-scoped ones). A repeat of the same (object, type, reason,
  // message) increments count and lastTimestamp instead of creating another. A new event in a
  // namespace being deleted is dropped (returns Ok; nothing is written).
  virtual Status RecordEvent(const EventInput& event) = 0;

  virtual StatusOr<std::vector<SyncRecord>> ListSyncRecords(const SyncQuery& query) = 0;
};

}  // namespace moor::store
