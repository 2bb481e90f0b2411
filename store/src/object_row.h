#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "moor/store/store.h"
#include "sqlite_connection.h"

namespace moor::store {

// One row of the `objects` table. `body` is the object JSON without status and without
// metadata.resourceVersion; `status` is the status JSON, or nullopt if the object has none.
struct StoredRow {
  ObjectKey key;
  std::string uid;
  int64_t resource_version = 0;
  int64_t generation = 0;
  std::string creation_timestamp;
  std::string body;
  std::optional<std::string> status;
  SourceRef source;
};

// The column list every SELECT of `objects` uses, in the order ReadStoredRow expects.
inline constexpr const char* kObjectColumns =
    "kind, namespace, name, uid, resource_version, generation, creation_timestamp, body, status, "
    "source, source_path, source_document, source_hash";

// Reads the current result row of `stmt`, selected with kObjectColumns.
StoredRow ReadStoredRow(const SqliteStatement& stmt);

// Parses JSON text stored by this store; kInternal (naming `what`) if it is corrupt.
StatusOr<Object> ParseStoredJson(const std::string& text, const std::string& what);

// The full object: body plus metadata.resourceVersion (a decimal string) plus status.
Object AssembleObject(Object body, const std::optional<Object>& status, int64_t resource_version);

// The Record for a row (parses body and status).
StatusOr<Record> RowToRecord(const StoredRow& row);

}  // namespace moor::store
