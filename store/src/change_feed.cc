#include "change_feed.h"

#include <string>

#include "object_row.h"

namespace moor::store {

StatusOr<int64_t> SnapshotResourceVersion(SqliteConnection& conn) {
  return conn.QueryInt("SELECT value FROM meta WHERE key='last_rv'");
}

Status CheckRetained(SqliteConnection& conn, int64_t after_rv) {
  MOOR_ASSIGN_OR_RETURN(int64_t last_rv, SnapshotResourceVersion(conn));
  MOOR_ASSIGN_OR_RETURN(int64_t oldest, conn.QueryInt("SELECT coalesce(min(rv), 0) FROM changes"));
  if (oldest == 0) oldest = last_rv + 1;  // nothing retained: only "now" can be watched from
  if (after_rv < oldest - 1) {
    return GoneError("too old resource version: " + std::to_string(after_rv) + " (" + std::to_string(oldest - 1) +
                     ")");
  }
  return Status::Ok();
}

StatusOr<ChangeBatch> ReadChanges(SqliteConnection& conn, const WatchOptions& filter, int64_t after_rv, int limit) {
  MOOR_RETURN_IF_ERROR(CheckRetained(conn, after_rv));
  MOOR_ASSIGN_OR_RETURN(int64_t last_rv, SnapshotResourceVersion(conn));
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt,
                        conn.Prepare("SELECT rv, type, object FROM changes WHERE rv > ?1 "
                                     "AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR namespace = ?3) "
                                     "ORDER BY rv LIMIT ?4"));
  StatementScope scope(*stmt);
  stmt->BindInt(1, after_rv);
  stmt->BindOptionalText(2, filter.kind);
  stmt->BindOptionalText(3, filter.ns);
  stmt->BindInt(4, limit);
  ChangeBatch batch;
  while (true) {
    MOOR_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    WatchEvent event;
    event.resource_version = stmt->ColumnInt(0);
    switch (stmt->ColumnInt(1)) {
      case 0:
        event.type = WatchEvent::Type::kAdded;
        break;
      case 1:
        event.type = WatchEvent::Type::kModified;
        break;
      default:
        event.type = WatchEvent::Type::kDeleted;
        break;
    }
    MOOR_ASSIGN_OR_RETURN(event.object,
                          ParseStoredJson(stmt->ColumnText(2), "change " + std::to_string(event.resource_version)));
    batch.events.push_back(std::move(event));
  }
  // A short batch saw everything up to the snapshot's resourceVersion; a full one only up
  // to its last row (later rows may match too).
  if (static_cast<int>(batch.events.size()) < limit) {
    batch.scanned_through = last_rv > after_rv ? last_rv : after_rv;
  } else {
    batch.scanned_through = batch.events.back().resource_version;
  }
  return batch;
}

}  // namespace moor::store
