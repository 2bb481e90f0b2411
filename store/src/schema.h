#pragma once

#include "moor/common/status.h"
#include "sqlite_connection.h"

namespace moor::store {

// The newest schema version this build knows (PRAGMA user_version).
int LatestSchemaVersion();

// Brings the database to LatestSchemaVersion() by applying the missing migrations in
// order, each in its own transaction together with its user_version bump, so a crash
// leaves the database at one version or the next, never in between. A database written
// by a newer moor (higher user_version) is refused with kFailedPrecondition.
Status MigrateSchema(SqliteConnection& conn);

}  // namespace moor::store
