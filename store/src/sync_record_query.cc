#include "sync_record_query.h"

#include <chrono>
#include <string>

#include "object_row.h"

namespace moor::store {
namespace {

constexpr const char* kColumns = "id, source, path, revision, time_us, result, duration, errors, objects";

std::string StringField(const Object& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

StatusOr<SyncRecord> ReadRecord(const SqliteStatement& stmt) {
  SyncRecord record;
  record.id = stmt.ColumnInt(0);
  record.source = stmt.ColumnText(1);
  record.path = stmt.ColumnText(2);
  record.revision = stmt.ColumnText(3);
  record.time = WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::microseconds(stmt.ColumnInt(4))));
  record.result = stmt.ColumnText(5);
  record.duration_seconds = stmt.ColumnDouble(6);
  std::string what = "sync record " + std::to_string(record.id);
  MOOR_ASSIGN_OR_RETURN(Object errors, ParseStoredJson(stmt.ColumnText(7), what));
  MOOR_ASSIGN_OR_RETURN(Object objects, ParseStoredJson(stmt.ColumnText(8), what));
  for (const Object& e : errors) {
    if (e.is_string()) record.errors.push_back(e.get<std::string>());
  }
  for (const Object& o : objects) {
    if (!o.is_object()) continue;
    ObjectOutcome outcome;
    outcome.key = ObjectKey{StringField(o, "kind"), StringField(o, "namespace"), StringField(o, "name")};
    outcome.action = StringField(o, "action");
    outcome.message = StringField(o, "message");
    record.objects.push_back(std::move(outcome));
  }
  return record;
}

}  // namespace

StatusOr<std::vector<SyncRecord>> QuerySyncRecords(SqliteConnection& conn, const SyncQuery& query) {
  static const std::string kFilter = "(?1 IS NULL OR source = ?1) AND (?2 IS NULL OR path = ?2)";
  std::string sql = query.latest_per_path
                        ? std::string("SELECT ") + kColumns + " FROM sync_records WHERE id IN (SELECT max(id) FROM " +
                              "sync_records WHERE " + kFilter + " GROUP BY source, path) ORDER BY id DESC LIMIT ?3"
                        : std::string("SELECT ") + kColumns + " FROM sync_records WHERE " + kFilter +
                              " ORDER BY id DESC LIMIT ?3";
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, conn.Prepare(sql));
  StatementScope scope(*stmt);
  stmt->BindOptionalText(1, query.source);
  stmt->BindOptionalText(2, query.path);
  stmt->BindInt(3, query.limit > 0 ? query.limit : -1);
  std::vector<SyncRecord> records;
  while (true) {
    MOOR_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    MOOR_ASSIGN_OR_RETURN(SyncRecord record, ReadRecord(*stmt));
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace moor::store
