#include "schema.h"

#include <string>
#include <vector>

namespace moor::store {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append only: a released migration never changes.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, R"sql(
        -- Store-wide counters. 'last_rv' is the global resourceVersion: it only grows and is
        -- never reused, also after the change history is trimmed.
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO meta(key, value) VALUES ('last_rv', 0);

        -- One row per object. `body` is the object JSON without status and without
        -- metadata.resourceVersion (those live in `status` and `resource_version`).
        CREATE TABLE objects (
          kind               TEXT NOT NULL,
          namespace          TEXT NOT NULL,
          name               TEXT NOT NULL,
          uid                TEXT NOT NULL,
          resource_version   INTEGER NOT NULL,
          generation         INTEGER NOT NULL,
          creation_timestamp TEXT NOT NULL,
          body               TEXT NOT NULL,
          status             TEXT,
          source             TEXT NOT NULL DEFAULT '',
          source_path        TEXT NOT NULL DEFAULT '',
          source_document    INTEGER NOT NULL DEFAULT 0,
          source_hash        TEXT NOT NULL DEFAULT '',
          PRIMARY KEY (kind, namespace, name)
        ) WITHOUT ROWID;
        CREATE INDEX objects_by_source ON objects(source, source_path);

        -- The change feed: one row per write, keyed by the resourceVersion it took.
        -- type: 0 ADDED, 1 MODIFIED, 2 DELETED. `object` is the full object as of that write.
        CREATE TABLE changes (
          rv        INTEGER PRIMARY KEY,
          type      INTEGER NOT NULL,
          kind      TEXT NOT NULL,
          namespace TEXT NOT NULL,
          name      TEXT NOT NULL,
          object    TEXT NOT NULL
        );

        CREATE TABLE sync_records (
          id        INTEGER PRIMARY KEY AUTOINCREMENT,
          source    TEXT NOT NULL,
          path      TEXT NOT NULL,
          revision  TEXT NOT NULL,
          time_us   INTEGER NOT NULL,
          result    TEXT NOT NULL,
          duration  REAL NOT NULL,
          errors    TEXT NOT NULL,
          objects   TEXT NOT NULL
        );
        CREATE INDEX sync_records_by_path ON sync_records(source, path, id);
      )sql"},
  };
  return kMigrations;
}

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

Status MigrateSchema(SqliteConnection& conn) {
  MOOR_ASSIGN_OR_RETURN(int64_t current, conn.QueryInt("PRAGMA user_version"));
  if (current > LatestSchemaVersion()) {
    return FailedPreconditionError("database schema version " + std::to_string(current) +
                                   " is newer than this moor supports (" + std::to_string(LatestSchemaVersion()) +
                                   "); upgrade moor");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    MOOR_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
    // Re-read inside the write lock: another process may have migrated meanwhile.
    StatusOr<int64_t> now = conn.QueryInt("PRAGMA user_version");
    if (!now.ok() || *now >= m.version) {
      (void)conn.Exec("ROLLBACK");
      if (!now.ok()) return now.status();
      continue;
    }
    Status s = conn.Exec(m.sql);
    if (s.ok()) s = conn.Exec("PRAGMA user_version = " + std::to_string(m.version));
    if (s.ok()) s = conn.Exec("COMMIT");
    if (!s.ok()) {
      (void)conn.Exec("ROLLBACK");
      return s.WithContext("migrating store schema to version " + std::to_string(m.version));
    }
  }
  return Status::Ok();
}

}  // namespace moor::store
