#pragma once

#include <vector>

#include "moor/store/store.h"
#include "sqlite_connection.h"

namespace moor::store {

// Sync records matching `query`, newest first (by insertion order). With
// query.latest_per_path only the newest record of each (source, path). A limit <= 0 means
// no limit.
StatusOr<std::vector<SyncRecord>> QuerySyncRecords(SqliteConnection& conn, const SyncQuery& query);

}  // namespace moor::store
