#include "write_txn.h"

#include "moor/manifests/kinds.h"

#include <chrono>
#include <utility>

#include "change_feed.h"
#include "graceful_delete.h"
#include "namespace_lifecycle.h"
#include "object_rules.h"

namespace moor::store {
namespace {

constexpr int kChangeAdded = 0;
constexpr int kChangeModified = 1;
constexpr int kChangeDeleted = 2;

// Attempts at a unique name for metadata.generateName before giving up.
constexpr int kGenerateNameAttempts = 8;

Object ObjectKeyJson(const ObjectKey& key) {
  return Object{{"kind", key.kind}, {"namespace", key.ns}, {"name", key.name}};
}

StatusOr<std::optional<Object>> ParseStatus(const StoredRow& row) {
  if (!row.status) return std::optional<Object>();
  MOOR_ASSIGN_OR_RETURN(Object status, ParseStoredJson(*row.status, row.key.ToString() + " status"));
  return std::optional<Object>(std::move(status));
}

// False if the stored body certainly has no metadata.deletionTimestamp (a cheap look at the
// text, so that updates of other objects need not parse what they replace).
bool MayBeBeingDeleted(const StoredRow& row) { return row.body.find("\"deletionTimestamp\"") != std::string::npos; }

// True if the stored object is being deleted; parses the body only when its text may say so.
StatusOr<bool> RowBeingDeleted(const StoredRow& row) {
  if (!MayBeBeingDeleted(row)) return false;
  MOOR_ASSIGN_OR_RETURN(Object stored, ParseStoredJson(row.body, row.key.ToString()));
  return manifests::IsBeingDeleted(stored);
}

// Removes what only a delete may set from the metadata a client sent.
void EraseDeletionFields(Object& meta) {
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
}

Status RequireObject(const Object& obj) {
  if (!obj.is_object()) return InvalidArgumentError("object must be a JSON object");
  auto meta = obj.find("metadata");
  if (meta != obj.end() && !meta->is_object() && !meta->is_null()) {
    return InvalidArgumentError("metadata must be an object");
  }
  if (manifests::KindOf(obj).empty()) return InvalidArgumentError("kind: Required value");
  return Status::Ok();
}

}  // namespace

StatusOr<std::optional<StoredRow>> WriteTxn::Load(const ObjectKey& key) {
  static const std::string kSql =
      std::string("SELECT ") + kObjectColumns + " FROM objects WHERE kind=?1 AND namespace=?2 AND name=?3";
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, conn_.Prepare(kSql));
  StatementScope scope(*stmt);
  stmt->BindText(1, key.kind);
  stmt->BindText(2, key.ns);
  stmt->BindText(3, key.name);
  MOOR_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return std::optional<StoredRow>();
  return std::optional<StoredRow>(ReadStoredRow(*stmt));
}

StatusOr<OpResult> WriteTxn::Execute(const WriteOp& op) {
  switch (op.type) {
    case WriteOp::Type::kCreate:
      return Create(op.object, op.source.value_or(SourceRef{}));
    case WriteOp::Type::kUpdate: {
      std::optional<int64_t> precondition = op.precondition_rv;
      if (!precondition) {
        MOOR_ASSIGN_OR_RETURN(precondition, ResourceVersionOf(op.object));
      }
      return Update(op.object, precondition, op.source);
    }
    case WriteOp::Type::kApply: {
      MOOR_RETURN_IF_ERROR(RequireObject(op.object));
      ObjectKey key = manifests::KeyOf(op.object);
      if (!key.name.empty()) {
        MOOR_ASSIGN_OR_RETURN(std::optional<StoredRow> existing, Load(key));
        if (existing) {
          MOOR_ASSIGN_OR_RETURN(bool being_deleted, RowBeingDeleted(*existing));
          if (being_deleted) return BeingDeletedExists(key);
          return Update(op.object, op.precondition_rv, op.source);
        }
      }
      if (op.precondition_rv) return NotFound(key);  // a precondition needs an existing object
      return Create(op.object, op.source.value_or(SourceRef{}));
    }
    case WriteOp::Type::kDelete:
      return Delete(op);
  }
  return InvalidArgumentError("unknown write op type");
}

StatusOr<OpResult> WriteTxn::Create(const Object& obj, const SourceRef& source) {
  MOOR_RETURN_IF_ERROR(RequireObject(obj));
  Object body = obj;
  body.erase("status");
  Object& meta = body["metadata"];
  if (!meta.is_object()) meta = Object::object();
  ObjectKey key{manifests::KindOf(body), manifests::NamespaceOf(body), manifests::NameOf(body)};
  MOOR_RETURN_IF_ERROR(CheckNamespaceAcceptsCreate(key));
  if (key.name.empty()) {
    std::string generate_name = MetadataString(body, "generateName");
    if (generate_name.empty()) {
      return InvalidArgumentError(GroupResourceOf(key.kind) +
                                  " \"\" is invalid: metadata.name: Required value: name or generateName is required");
    }
    for (int attempt = 0; attempt < kGenerateNameAttempts; ++attempt) {
      key.name = generate_name + RandomNameSuffix();
      MOOR_ASSIGN_OR_RETURN(std::optional<StoredRow> taken, Load(key));
      if (!taken) break;
      if (attempt + 1 == kGenerateNameAttempts) return AlreadyExists(key);
    }
  } else {
    MOOR_ASSIGN_OR_RETURN(std::optional<StoredRow> existing, Load(key));
    if (existing) {
      MOOR_ASSIGN_OR_RETURN(bool being_deleted, RowBeingDeleted(*existing));
      return being_deleted ? BeingDeletedExists(key) : AlreadyExists(key);
    }
  }

  StoredRow row;
  row.key = key;
  row.uid = NewUid();
  MOOR_ASSIGN_OR_RETURN(row.resource_version, NextRv());
  row.generation = 1;
  row.creation_timestamp = FormatRfc3339(clock_.Now());
  row.source = source;
  std::optional<Object> status;
  if (key.kind == "Namespace") {  // as kube-apiserver's namespace strategy
    status = ActiveNamespaceStatus();
    row.status = DumpJson(*status);
  }
  meta["name"] = key.name;
  meta["uid"] = row.uid;
  meta["generation"] = row.generation;
  meta["creationTimestamp"] = row.creation_timestamp;
  meta.erase("resourceVersion");
  EraseDeletionFields(meta);
  row.body = DumpJson(body);
  MOOR_RETURN_IF_ERROR(WriteRow(row));

  OpResult result;
  result.action = OpResult::Action::kCreated;
  result.key = key;
  result.object = AssembleObject(std::move(body), status, row.resource_version);
  MOOR_RETURN_IF_ERROR(AppendChange(kChangeAdded, key, result.object));
  AnswerDryRun(result.object, 0);
  ++objects_delta_;
  return result;
}

Status WriteTxn::CheckPreconditions(const StoredRow& row, const Object& obj, std::optional<int64_t> precondition_rv) {
  if (precondition_rv && *precondition_rv != row.resource_version) return StaleResourceVersion(row.key);
  std::string uid = MetadataString(obj, "uid");
  if (!uid.empty() && uid != row.uid) return UidMismatch(row.key, uid, row.uid);
  return Status::Ok();
}

StatusOr<StoredRow> WriteTxn::LoadForUpdate(const Object& obj, const ObjectKey& key,
                                            std::optional<int64_t> precondition_rv) {
  MOOR_RETURN_IF_ERROR(RequireObject(obj));
  if (key.name.empty()) return InvalidArgumentError("metadata.name: Required value");
  MOOR_ASSIGN_OR_RETURN(std::optional<StoredRow> existing, Load(key));
  if (!existing) return NotFound(key);
  MOOR_RETURN_IF_ERROR(CheckPreconditions(*existing, obj, precondition_rv));
  return std::move(*existing);
}

StatusOr<OpResult> WriteTxn::Update(const Object& obj, std::optional<int64_t> precondition_rv,
                                    const std::optional<SourceRef>& source) {
  ObjectKey key = manifests::KeyOf(obj);
  MOOR_ASSIGN_OR_RETURN(StoredRow row, LoadForUpdate(obj, key, precondition_rv));
  // Parsed only when needed: a no-op update of a kind without server-populated fields (most of
  // a folder resync) compares text alone.
  std::optional<Object> stored;
  auto parse_stored = [&]() -> Status {
    if (stored) return Status::Ok();
    MOOR_ASSIGN_OR_RETURN(stored, ParseStoredJson(row.body, key.ToString()));
    return Status::Ok();
  };

  // An object being deleted takes metadata changes (labels, annotations, finalizers: kubectl
  // label/annotate of a Terminating pod), not changes of its spec.
  bool being_deleted = false;
  if (MayBeBeingDeleted(row)) {
    MOOR_RETURN_IF_ERROR(parse_stored());
    being_deleted = manifests::IsBeingDeleted(*stored);
  }
  // The desired body with the server-owned fields taken from the stored object, and what
  // controllers filled in kept where the new object leaves it out.
  Object body = obj;
  if (!manifests::ServerPopulatedFields(key.kind).empty()) {
    MOOR_RETURN_IF_ERROR(parse_stored());
    body = KeepServerPopulatedFields(obj, *stored);
  }
  body.erase("status");
  Object& meta = body["metadata"];
  meta.erase("resourceVersion");
  EraseDeletionFields(meta);  // only a delete sets them
  if (being_deleted) {
    if (!SpecEqual(body, *stored)) return BeingDeletedUpdate(key);
    for (const char* field : {"deletionTimestamp", "deletionGracePeriodSeconds"}) {
      if ((*stored)["metadata"].contains(field)) meta[field] = (*stored)["metadata"][field];
    }
  }
  meta["uid"] = row.uid;
  meta["creationTimestamp"] = row.creation_timestamp;
  meta["generation"] = row.generation;
  std::string text = DumpJson(body);

  MOOR_ASSIGN_OR_RETURN(std::optional<Object> status, ParseStatus(row));
  OpResult result;
  result.key = key;
  if (text == row.body) {
    // Nothing in the object changed: no write, no new resourceVersion. A new source (the
    // object moved to another file, or the file's hash changed) is moor's bookkeeping,
    // not part of the object, so it is saved without a resourceVersion.
    if (source && *source != row.source) {
      row.source = *source;
      MOOR_RETURN_IF_ERROR(WriteRow(row));
    }
    result.action = OpResult::Action::kUnchanged;
    result.object = AssembleObject(std::move(body), status, row.resource_version);
    return result;
  }

  MOOR_RETURN_IF_ERROR(parse_stored());
  if (!SpecEqual(body, *stored)) {
    row.generation += 1;
    meta["generation"] = row.generation;
    text = DumpJson(body);
  }
  row.body = std::move(text);
  if (source) row.source = *source;
  return WriteModified(row, key, std::move(body), status);
}

StatusOr<OpResult> WriteTxn::UpdateStatus(const Object& obj, std::optional<int64_t> precondition_rv) {
  ObjectKey key = manifests::KeyOf(obj);
  MOOR_ASSIGN_OR_RETURN(StoredRow row, LoadForUpdate(obj, key, precondition_rv));

  std::optional<std::string> new_status;
  std::optional<Object> status_json;
  auto it = obj.find("status");
  if (it != obj.end() && !it->is_null()) {
    status_json = *it;
    new_status = DumpJson(*it);
  }
  MOOR_ASSIGN_OR_RETURN(Object body, ParseStoredJson(row.body, key.ToString()));
  OpResult result;
  result.key = key;
  if (new_status == row.status) {
    result.action = OpResult::Action::kUnchanged;
    result.object = AssembleObject(std::move(body), status_json, row.resource_version);
    return result;
  }
  row.status = std::move(new_status);
  return WriteModified(row, key, std::move(body), status_json);
}

StatusOr<OpResult> WriteTxn::Delete(const WriteOp& op) {
  const ObjectKey& key = op.key;
  MOOR_ASSIGN_OR_RETURN(std::optional<StoredRow> existing, Load(key));
  if (!existing) return NotFound(key);
  StoredRow& row = *existing;
  if (op.precondition_rv && *op.precondition_rv != row.resource_version) {
    return DeletePreconditionFailed(key, *op.precondition_rv, row.resource_version);
  }
  if (!op.precondition_uid.empty() && op.precondition_uid != row.uid) {
    return UidMismatch(key, op.precondition_uid, row.uid);
  }
  MOOR_ASSIGN_OR_RETURN(Object body, ParseStoredJson(row.body, key.ToString()));
  MOOR_ASSIGN_OR_RETURN(std::optional<Object> status, ParseStatus(row));
  if (key.kind == "Namespace") return DeleteNamespace(row, std::move(body), status);
  if (key.kind != "Pod") return Remove(row, std::move(body), status);

  Object whole = body;
  if (status) whole["status"] = *status;
  DeleteDecision decision = DecideDelete(whole, op.grace_period_seconds, clock_.Now());
  switch (decision.action) {
    case DeleteDecision::Action::kRemove:
      return Remove(row, std::move(body), status);
    case DeleteDecision::Action::kPending: {
      OpResult result;
      result.action = OpResult::Action::kUnchanged;
      result.key = key;
      result.object = AssembleObject(std::move(body), status, row.resource_version);
      return result;
    }
    case DeleteDecision::Action::kMark:
      break;
  }
  Object& meta = body["metadata"];
  bool first = !manifests::IsBeingDeleted(body);
  meta["deletionTimestamp"] = decision.deletion_timestamp;
  meta["deletionGracePeriodSeconds"] = decision.grace_seconds;
  if (first) {
    row.generation += 1;  // as kube-apiserver: the start of a graceful deletion is a new generation
    meta["generation"] = row.generation;
  }
  row.body = DumpJson(body);
  return WriteModified(row, key, std::move(body), status);
}

StatusOr<OpResult> WriteTxn::DeleteNamespace(StoredRow& row, Object body, const std::optional<Object>& status) {
  const ObjectKey& key = row.key;
  if (IsImmortalNamespace(key.name)) return ImmortalNamespaceDelete(key.name);
  MOOR_ASSIGN_OR_RETURN(bool has_content, NamespaceHasContent(key.name));
  if (!has_content) return Remove(row, std::move(body), status);
  OpResult result;
  result.key = key;
  if (manifests::IsBeingDeleted(body)) {  // the namespace controller is emptying it already
    result.action = OpResult::Action::kUnchanged;
    result.object = AssembleObject(std::move(body), status, row.resource_version);
    return result;
  }
  body["metadata"]["deletionTimestamp"] = FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(clock_.Now()));
  Object terminating = TerminatingNamespaceStatus(status.value_or(Object()));
  row.body = DumpJson(body);
  row.status = DumpJson(terminating);
  return WriteModified(row, key, std::move(body), terminating);
}

StatusOr<bool> WriteTxn::NamespaceHasContent(const std::string& ns) {
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, conn_.Prepare("SELECT 1 FROM objects WHERE namespace=?1 LIMIT 1"));
  StatementScope scope(*stmt);
  stmt->BindText(1, ns);
  return stmt->Step();
}

Status WriteTxn::CheckNamespaceAcceptsCreate(const ObjectKey& key) {
  if (key.ns.empty()) return Status::Ok();  // cluster-scoped
  MOOR_ASSIGN_OR_RETURN(std::optional<StoredRow> ns, Load(ObjectKey{"Namespace", "", key.ns}));
  if (!ns) return Status::Ok();  // a missing namespace is not checked (moor's rule)
  MOOR_ASSIGN_OR_RETURN(bool being_deleted, RowBeingDeleted(*ns));
  return being_deleted ? NamespaceTerminatingCreate(key) : Status::Ok();
}

StatusOr<OpResult> WriteTxn::Remove(const StoredRow& row, Object body, const std::optional<Object>& status) {
  const ObjectKey& key = row.key;
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt,
                        conn_.Prepare("DELETE FROM objects WHERE kind=?1 AND namespace=?2 AND name=?3"));
  stmt->BindText(1, key.kind);
  stmt->BindText(2, key.ns);
  stmt->BindText(3, key.name);
  MOOR_RETURN_IF_ERROR(stmt->Run());

  OpResult result;
  result.action = OpResult::Action::kDeleted;
  result.key = key;
  MOOR_ASSIGN_OR_RETURN(int64_t rv, NextRv());
  result.object = AssembleObject(std::move(body), status, rv);
  MOOR_RETURN_IF_ERROR(AppendChange(kChangeDeleted, key, result.object));
  AnswerDryRun(result.object, row.resource_version);
  --objects_delta_;
  return result;
}

StatusOr<OpResult> WriteTxn::WriteModified(StoredRow& row, const ObjectKey& key, Object body,
                                           const std::optional<Object>& status) {
  const int64_t prior_rv = row.resource_version;
  MOOR_ASSIGN_OR_RETURN(row.resource_version, NextRv());
  MOOR_RETURN_IF_ERROR(WriteRow(row));
  OpResult result;
  result.key = key;
  result.action = OpResult::Action::kUpdated;
  result.object = AssembleObject(std::move(body), status, row.resource_version);
  MOOR_RETURN_IF_ERROR(AppendChange(kChangeModified, key, result.object));
  AnswerDryRun(result.object, prior_rv);
  return result;
}

void WriteTxn::AnswerDryRun(Object& object, int64_t prior_rv) const {
  if (!dry_run_) return;
  Object& meta = object["metadata"];
  if (prior_rv == 0) {
    meta.erase("resourceVersion");
  } else {
    meta["resourceVersion"] = std::to_string(prior_rv);
  }
}

StatusOr<int64_t> WriteTxn::NextRv() {
  if (!last_rv_) {
    MOOR_ASSIGN_OR_RETURN(int64_t stored, SnapshotResourceVersion(conn_));
    last_rv_ = stored;
  }
  changed_ = true;
  return ++*last_rv_;
}

Status WriteTxn::WriteRow(const StoredRow& row) {
  static const std::string kSql = std::string("INSERT OR REPLACE INTO objects (") + kObjectColumns +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, conn_.Prepare(kSql));
  stmt->BindText(1, row.key.kind);
  stmt->BindText(2, row.key.ns);
  stmt->BindText(3, row.key.name);
  stmt->BindText(4, row.uid);
  stmt->BindInt(5, row.resource_version);
  stmt->BindInt(6, row.generation);
  stmt->BindText(7, row.creation_timestamp);
  stmt->BindText(8, row.body);
  stmt->BindOptionalText(9, row.status);
  stmt->BindText(10, row.source.source);
  stmt->BindText(11, row.source.path);
  stmt->BindInt(12, row.source.document);
  stmt->BindText(13, row.source.hash);
  return stmt->Run();
}

Status WriteTxn::AppendChange(int type, const ObjectKey& key, const Object& object) {
  MOOR_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      conn_.Prepare("INSERT INTO changes (rv, type, kind, namespace, name, object) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  stmt->BindInt(1, last_rv());
  stmt->BindInt(2, type);
  stmt->BindText(3, key.kind);
  stmt->BindText(4, key.ns);
  stmt->BindText(5, key.name);
  stmt->BindText(6, DumpJson(object));
  return stmt->Run();
}

Status WriteTxn::InsertSyncRecord(const SyncRecord& record, int keep_per_path) {
  Object errors = Object::array();
  for (const std::string& e : record.errors) errors.push_back(e);
  Object objects = Object::array();
  for (const ObjectOutcome& o : record.objects) {
    Object entry = ObjectKeyJson(o.key);
    entry["action"] = o.action;
    if (!o.message.empty()) entry["message"] = o.message;
    objects.push_back(std::move(entry));
  }
  WallTime time = record.time == WallTime() ? clock_.Now() : record.time;
  int64_t time_us = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();

  MOOR_ASSIGN_OR_RETURN(SqliteStatement * insert,
                        conn_.Prepare("INSERT INTO sync_records (source, path, revision, time_us, result, duration, "
                                      "errors, objects) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  insert->BindText(1, record.source);
  insert->BindText(2, record.path);
  insert->BindText(3, record.revision);
  insert->BindInt(4, time_us);
  insert->BindText(5, record.result);
  insert->BindDouble(6, record.duration_seconds);
  insert->BindText(7, DumpJson(errors));
  insert->BindText(8, DumpJson(objects));
  MOOR_RETURN_IF_ERROR(insert->Run());

  MOOR_ASSIGN_OR_RETURN(SqliteStatement * trim,
                        conn_.Prepare("DELETE FROM sync_records WHERE source=?1 AND path=?2 AND id <= "
                                      "(SELECT id FROM sync_records WHERE source=?1 AND path=?2 "
                                      "ORDER BY id DESC LIMIT 1 OFFSET ?3)"));
  trim->BindText(1, record.source);
  trim->BindText(2, record.path);
  trim->BindInt(3, keep_per_path < 1 ? 1 : keep_per_path);
  return trim->Run();
}

StatusOr<std::vector<std::string>> WriteTxn::EventsToDrop(const std::string& ns, const std::string& cutoff_rfc3339,
                                                          int64_t keep) {
  std::vector<std::string> names;
  {
    MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt,
                          conn_.Prepare("SELECT name FROM objects WHERE kind='Event' AND namespace=?1 AND "
                                        "json_extract(body, '$.lastTimestamp') < ?2"));
    StatementScope scope(*stmt);
    stmt->BindText(1, ns);
    stmt->BindText(2, cutoff_rfc3339);
    while (true) {
      MOOR_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      names.push_back(stmt->ColumnText(0));
    }
  }
  {
    MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt,
                          conn_.Prepare("SELECT name FROM objects WHERE kind='Event' AND namespace=?1 "
                                        "ORDER BY resource_version DESC LIMIT -1 OFFSET ?2"));
    StatementScope scope(*stmt);
    stmt->BindText(1, ns);
    stmt->BindInt(2, keep < 0 ? 0 : keep);
    while (true) {
      MOOR_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      std::string name = stmt->ColumnText(0);
      bool seen = false;
      for (const std::string& n : names) seen = seen || n == name;
      if (!seen) names.push_back(std::move(name));
    }
  }
  return names;
}

Status WriteTxn::TrimChanges(int64_t through) {
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, conn_.Prepare("DELETE FROM changes WHERE rv <= ?1"));
  stmt->BindInt(1, through);
  return stmt->Run();
}

Status WriteTxn::SaveResourceVersion() {
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, conn_.Prepare("UPDATE meta SET value=?1 WHERE key='last_rv'"));
  stmt->BindInt(1, last_rv());
  return stmt->Run();
}

}  // namespace moor::store
