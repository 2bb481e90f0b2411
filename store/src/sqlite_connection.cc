#include "sqlite_connection.h"

#include <sqlite3.h>

#include <utility>

namespace moor::store {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + sqlite3_errstr(rc);
  if (db != nullptr) {
    const char* detail = sqlite3_errmsg(db);
    if (detail != nullptr && message.find(detail) == std::string::npos) message += std::string(" (") + detail + ")";
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return UnavailableError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::BindText(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void SqliteStatement::BindInt(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void SqliteStatement::BindDouble(int index, double value) { sqlite3_bind_double(stmt_, index, value); }

void SqliteStatement::BindNull(int index) { sqlite3_bind_null(stmt_, index); }

void SqliteStatement::BindOptionalText(int index, const std::optional<std::string>& value) {
  if (value) {
    BindText(index, *value);
  } else {
    BindNull(index);
  }
}

StatusOr<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, std::string("executing ") + sqlite3_sql(stmt_));
}

Status SqliteStatement::Run() {
  StatusOr<bool> r = Step();
  while (r.ok() && *r) r = Step();
  Reset();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

bool SqliteStatement::ColumnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

int64_t SqliteStatement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

double SqliteStatement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string SqliteStatement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::filesystem::path& path,
                                                                   const Options& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | (options.read_only ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "opening " + path.string());
    sqlite3_close_v2(db);
    return s;
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  if (!options.read_only) {
    // WAL: readers never block the writer and the writer never blocks readers, and a
    // transaction is atomic and consistent across a kill -9 or power loss.
    MOOR_ASSIGN_OR_RETURN(std::string mode, conn->QueryText("PRAGMA journal_mode=WAL"));
    if (mode != "wal") return UnavailableError("cannot switch " + path.string() + " to WAL mode (got " + mode + ")");
  }
  // synchronous=NORMAL in WAL mode fsyncs only at checkpoints: a crash of the process
  // (kill -9, OOM) never loses or corrupts a committed transaction, and a power loss may
  // lose only the last few commits while the database stays consistent. That is what
  // the sources need (they re-sync from the files or Git after a restart anyway), and it
  // makes each commit cost no fsync. FULL also fsyncs the WAL on every commit.
  MOOR_RETURN_IF_ERROR(conn->Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  MOOR_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys=ON"));
  if (options.read_only) MOOR_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only=1"));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();  // finalize before closing
  sqlite3_close_v2(db_);
}

Status SqliteConnection::Exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string what = "executing " + sql;
    if (error != nullptr) sqlite3_free(error);
    return SqliteError(db_, rc, what);
  }
  return Status::Ok();
}

Status SqliteConnection::Run(std::string_view sql) {
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, Prepare(sql));
  return stmt->Run();
}

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

StatusOr<SqliteStatement*> SqliteConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "preparing " + std::string(sql));
  auto owned = std::make_unique<SqliteStatement>(db_, stmt);
  SqliteStatement* raw = owned.get();
  statements_.emplace(std::string(sql), std::move(owned));
  return raw;
}

StatusOr<int64_t> SqliteConnection::QueryInt(std::string_view sql) {
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, Prepare(sql));
  StatementScope scope(*stmt);
  MOOR_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return InternalError("no row from " + std::string(sql));
  return stmt->ColumnInt(0);
}

StatusOr<std::string> SqliteConnection::QueryText(std::string_view sql) {
  MOOR_ASSIGN_OR_RETURN(SqliteStatement * stmt, Prepare(sql));
  StatementScope scope(*stmt);
  MOOR_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return InternalError("no row from " + std::string(sql));
  return stmt->ColumnText(0);
}

}  // namespace moor::store
