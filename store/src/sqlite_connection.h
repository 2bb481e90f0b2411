#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "moor/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace moor::store {

// One prepared statement owned by a SqliteConnection. Not thread-safe: it is used only by
// the thread that holds its connection. Bind indexes are 1-based, column indexes 0-based.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void BindText(int index, std::string_view value);
  void BindInt(int index, int64_t value);
  void BindDouble(int index, double value);
  void BindNull(int index);
  void BindOptionalText(int index, const std::optional<std::string>& value);

  // Advances the statement. true: a row is available; false: done. Errors (busy, I/O,
  // constraint) come back as kUnavailable / kInternal naming the SQLite error.
  StatusOr<bool> Step();
  // Runs a statement that returns no rows (or ignores them) to completion, then resets it.
  Status Run();

  bool ColumnIsNull(int column) const;
  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;

  // Resets the cursor and clears bindings so the statement can be reused.
  void Reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Resets a statement when the scope ends, so a cached statement never holds a read
// snapshot or a lock after its caller returns (also on early error returns).
class StatementScope {
 public:
  explicit StatementScope(SqliteStatement& stmt) : stmt_(stmt) {}
  ~StatementScope() { stmt_.Reset(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  SqliteStatement* operator->() { return &stmt_; }

 private:
  SqliteStatement& stmt_;
};

// One SQLite connection with a cache of prepared statements. Not thread-safe: one thread
// uses it at a time (the store's writer mutex or the read pool guarantees that).
class SqliteConnection {
 public:
  struct Options {
    bool read_only = false;       // PRAGMA query_only: this connection never writes
    bool synchronous_full = false;
    int busy_timeout_ms = 5000;
  };

  // Opens (creating if needed, unless read_only) the database at `path` in WAL mode.
  static StatusOr<std::unique_ptr<SqliteConnection>> Open(const std::filesystem::path& path,
                                                          const Options& options);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs one or more SQL statements that return nothing (schema, BEGIN, COMMIT, pragmas).
  Status Exec(const std::string& sql);
  // Runs one statement (BEGIN, COMMIT, ...) through the statement cache: cheaper than
  // Exec() for statements that run on every write.
  Status Run(std::string_view sql);
  // True while a transaction is open on this connection.
  bool InTransaction() const;
  // Returns the cached prepared statement for `sql`, preparing it on first use. The
  // reference stays valid as long as the connection lives.
  StatusOr<SqliteStatement*> Prepare(std::string_view sql);
  // The first column of the first row of `sql` as an integer (e.g. PRAGMA user_version).
  StatusOr<int64_t> QueryInt(std::string_view sql);
  StatusOr<std::string> QueryText(std::string_view sql);

  sqlite3* raw() const { return db_; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> statements_;
};

// Maps a SQLite result code to a Status: busy/locked/I/O errors become kUnavailable
// (may pass), everything else kInternal.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace moor::store
