#include "object_row.h"

#include <utility>

namespace moor::store {

StoredRow ReadStoredRow(const SqliteStatement& stmt) {
  StoredRow row;
  row.key.kind = stmt.ColumnText(0);
  row.key.ns = stmt.ColumnText(1);
  row.key.name = stmt.ColumnText(2);
  row.uid = stmt.ColumnText(3);
  row.resource_version = stmt.ColumnInt(4);
  row.generation = stmt.ColumnInt(5);
  row.creation_timestamp = stmt.ColumnText(6);
  row.body = stmt.ColumnText(7);
  if (!stmt.ColumnIsNull(8)) row.status = stmt.ColumnText(8);
  row.source.source = stmt.ColumnText(9);
  row.source.path = stmt.ColumnText(10);
  row.source.document = static_cast<int>(stmt.ColumnInt(11));
  row.source.hash = stmt.ColumnText(12);
  return row;
}

StatusOr<Object> ParseStoredJson(const std::string& text, const std::string& what) {
  Object parsed = Object::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InternalError("stored JSON of " + what + " is corrupt");
  return parsed;
}

Object AssembleObject(Object body, const std::optional<Object>& status, int64_t resource_version) {
  if (!body.is_object()) body = Object::object();
  Object& meta = body["metadata"];
  if (!meta.is_object()) meta = Object::object();
  meta["resourceVersion"] = std::to_string(resource_version);
  if (status) body["status"] = *status;
  return body;
}

StatusOr<Record> RowToRecord(const StoredRow& row) {
  MOOR_ASSIGN_OR_RETURN(Object body, ParseStoredJson(row.body, row.key.ToString()));
  std::optional<Object> status;
  if (row.status) {
    MOOR_ASSIGN_OR_RETURN(status, ParseStoredJson(*row.status, row.key.ToString() + " status"));
  }
  Record record;
  record.object = AssembleObject(std::move(body), status, row.resource_version);
  record.source = row.source;
  return record;
}

}  // namespace moor::store
