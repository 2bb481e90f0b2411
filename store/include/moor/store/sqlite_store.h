#pragma once

#include <chrono>
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

  // Added by the store implementation (defaults keep the contract above unchanged):
  // false: PRAGMA synchronous=NORMAL — a crash of the process never loses a committed
  // write; a power loss may lose the last few commits but never corrupts the store.
  // true: synchronous=FULL — every commit is also fsynced (durable across power loss).
  bool synchronous_full = false;
  int sync_records_per_path = 100;            // newest sync records kept per (source, path)
  // Events: when a new Event is recorded in a namespace, Events there whose lastTimestamp
  // is older than event_ttl are deleted, and the oldest (by last write) beyond
  // events_per_namespace. Deletions appear on the change feed like any other.
  int64_t events_per_namespace = 1000;
  std::chrono::seconds event_ttl = std::chrono::hours(1);
};

// Opens (creating or migrating) a SQLite database in WAL mode. Every write is one SQLite
// transaction, so a kill -9 at any moment leaves a consistent store.
StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace moor::store
