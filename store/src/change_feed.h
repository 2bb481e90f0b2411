#pragma once

#include <cstdint>
#include <vector>

#include "moor/store/store.h"
#include "sqlite_connection.h"

namespace moor::store {

// Reading the `changes` table. All functions must run inside one read transaction on
// `conn` so that the retained-history check and the rows come from the same snapshot.

// The store's resourceVersion in this snapshot.
StatusOr<int64_t> SnapshotResourceVersion(SqliteConnection& conn);

// kGone ("too old resource version: 5 (17)") if changes after `after_rv` were already
// trimmed, i.e. `after_rv` is older than the oldest retained change minus one.
Status CheckRetained(SqliteConnection& conn, int64_t after_rv);

struct ChangeBatch {
  std::vector<WatchEvent> events;  // rv > after_rv, matching the filter, in rv order
  int64_t scanned_through = 0;     // every change up to here has been looked at
};

// At most `limit` changes after `after_rv` that match the kind/namespace filter.
StatusOr<ChangeBatch> ReadChanges(SqliteConnection& conn, const WatchOptions& filter, int64_t after_rv, int limit);

}  // namespace moor::store
