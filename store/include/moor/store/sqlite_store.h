#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "moor/common/clock.h"
#include "moor/store/store.h"

namespace moor::store {

struct SqliteStoreOptions {
  std::filesystem::path path;         // the database file; created if missing
  int64_t history_limit = 100000;     // change-feed rows kept for watchers
  Clock* clock = nullptr;             // nullptr: SystemClock()
};

// Opens (creating or migrating) a SQLite database in WAL mode. Every write is one SQLite
// transaction, so a kill -9 at any moment leaves a consistent store.
StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace moor::store
